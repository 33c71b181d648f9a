"""Precision, recall and F1 from predicted and expected booleans."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self, name: str) -> str:
        return (f"{name:<22} P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f}  "
                f"(tp={self.tp} fp={self.fp} fn={self.fn} tn={self.tn})")  # fmt: skip


def score(pairs: list[tuple[bool, bool]]) -> Scores:
    """``pairs`` of (predicted, expected)."""
    return Scores(
        tp=sum(p and e for p, e in pairs),
        fp=sum(p and not e for p, e in pairs),
        fn=sum(e and not p for p, e in pairs),
        tn=sum(not p and not e for p, e in pairs),
    )
