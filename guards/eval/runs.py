"""Run each guard over its development set and collect predictions."""

from __future__ import annotations

from dataclasses import dataclass

from guards.eval.datasets import MONITOR_LABELS, HallucinationCase, MonitorCase
from guards.eval.metrics import Scores, score
from guards.sentences import split_sentences
from guards.sentiment.scoring import score_message
from guards.sentiment.signals import normalise
from guards.verdict import GuardMethod
from shared.events import Source
from shared.tenants import GuardPolicy, HandoffRules


@dataclass
class HallucinationResult:
    case: HallucinationCase
    flagged: list[tuple[str, float, str]]  # (sentence, score, reason)

    @property
    def predicted_ungrounded(self) -> bool:
        return bool(self.flagged)

    @property
    def right_sentence(self) -> bool:
        return any(self.case.bad_sentence and self.case.bad_sentence.strip() in s for s, _, _ in self.flagged)


async def run_hallucination(
    cases: list[HallucinationCase], method: GuardMethod, threshold: float = GuardPolicy().threshold
) -> list[HallucinationResult]:
    results = []
    for case in cases:
        sources = [Source(id=f"s{i}", title="", snippet=s) for i, s in enumerate(case.sources)]
        flagged = []
        for sentence in split_sentences(case.answer):
            verdict = await method.check(sentence.text, sources, case.answer[: sentence.end])
            if verdict.score >= threshold:
                flagged.append((sentence.text, verdict.score, verdict.reason))
        results.append(HallucinationResult(case, flagged))
    return results


def hallucination_scores(results: list[HallucinationResult]) -> Scores:
    """An answer is positive when it is ungrounded; predicted positive when any sentence is flagged."""
    return score([(r.predicted_ungrounded, not r.case.grounded) for r in results])


def flagged_by_kind(results: list[HallucinationResult]) -> dict[str, tuple[int, int]]:
    """(answers flagged, answers) per kind: recall for error kinds, false-flag count for grounded kinds."""
    kinds = sorted({r.case.kind for r in results})
    return {k: (sum(r.predicted_ungrounded for r in results if r.case.kind == k),
                sum(r.case.kind == k for r in results)) for k in kinds}  # fmt: skip


def run_monitor(cases: list[MonitorCase], rules: HandoffRules | None = None) -> list[tuple[MonitorCase, set[str]]]:
    rules = rules or HandoffRules()
    out = []
    for case in cases:
        scored = score_message(case.text, rules.keywords, [normalise(h) for h in case.history])
        signals = set(scored.signals)
        if "repeated_question" in signals:
            signals.add("repeated_failure")
        out.append((case, signals & set(MONITOR_LABELS)))
    return out


def monitor_scores(results: list[tuple[MonitorCase, set[str]]]) -> dict[str, Scores]:
    out = {label: score([(label in got, label in case.labels) for case, got in results]) for label in MONITOR_LABELS}
    out["any signal"] = score([(bool(got), bool(case.labels)) for case, got in results])
    return out
