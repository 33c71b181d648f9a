"""Score one visitor message: VADER's compound score plus the signals in signals.py."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from guards.sentiment.signals import asks_for_human, has_profanity, is_angry, repeats, says_failure, unquoted


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


@dataclass(frozen=True)
class MessageScore:
    score: float  # -1..1, VADER compound adjusted by the signals
    compound: float  # VADER alone
    signals: tuple[str, ...]

    def has(self, signal: str) -> bool:
        return signal in self.signals


def score_message(text: str, keywords: list[str], earlier: list[list[str]] | None = None) -> MessageScore:
    """Score ``text``; ``earlier`` holds the normalised previous visitor messages of the conversation."""
    # Quoted words are someone else's ("the error says 'access denied, damn it'").
    compound = float(_analyzer().polarity_scores(unquoted(text))["compound"])
    signals: list[str] = []
    if asks_for_human(text, keywords):
        signals.append("ask_human")
    if has_profanity(text):
        signals.append("profanity")
    if is_angry(text, compound):
        signals.append("anger")
    if says_failure(text):
        signals.append("repeated_failure")
    if earlier and repeats(text, earlier):
        signals.append("repeated_question")
    score = compound
    # VADER reads "that's not what I asked" or "WHERE IS MY ORDER" as neutral; the signals are not.
    if "anger" in signals:
        score = min(score, -0.6)
    if "repeated_failure" in signals or "repeated_question" in signals:
        score = min(score, -0.3)
    if "profanity" in signals:
        score = min(score, -0.2)
    return MessageScore(round(score, 4), round(compound, 4), tuple(signals))
