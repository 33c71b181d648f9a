"""What every hallucination-check method returns, and the interface they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.events import Source


@dataclass(frozen=True)
class Verdict:
    """How unsupported one sentence is: ``score`` 0 (grounded) to 1 (unsupported)."""

    score: float
    reason: str
    method: str
    # The source text closest to the sentence, usable as a correction when policy says replace.
    closest: str | None = None


class GuardMethod(Protocol):
    name: str

    async def check(
        self,
        sentence: str,
        sources: list[Source],
        context: str = "",
        known: frozenset[str] = frozenset(),
        *,
        question: str = "",
    ) -> Verdict:
        """Judge one sentence against the reply's sources.

        ``context`` is the reply so far; ``known`` names the reply may use without a source;
        ``question`` is the visitor's message: it may explain a number or a fact the visitor
        gave, never support a claim about the business.
        """
        ...
