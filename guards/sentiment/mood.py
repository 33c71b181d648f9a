"""A conversation's rolling mood and what it decides: the state the monitor keeps per conversation."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from guards.sentiment.scoring import MessageScore
from guards.sentiment.signals import normalise
from shared.tenants import HandoffRules

RECENT = 6  # visitor messages remembered for "the same question again"
# A rejected answer ("that's not what I asked") or the same question again counts as two signs
# of failure: the answer that missed, and the visitor having to come back to it. With the
# default rules (two signs) one such message asks for a human; a tenant that wants the
# assistant to get a second chance sets ``repeated_failures`` to 4.
FAILURE_WEIGHT = 2


class Outcome(BaseModel):
    """What processing one message decided (kept so a redelivery re-publishes the same thing)."""

    message_id: str
    score: float
    mood: float
    signals: list[str]
    handoff: str | None = Field(None, description="Trigger of the handoff request made, if any.")
    reason: str = ""


class ConversationMood(BaseModel):
    """Stored per conversation in the sb_sentiment KV bucket (versioned like an event)."""

    v: int = 1
    mood: float = 0.0
    messages: int = 0
    failures: int = Field(0, description="Signs of the AI failing since the last handoff request.")
    recent: list[list[str]] = Field(default_factory=list, description="Normalised recent visitor messages.")
    last_handoff_at: int | None = Field(None, description="`messages` count when a human was last asked for.")
    last_request_at: datetime | None = Field(None, description="Time of the message that last asked for a human.")
    outcomes: list[Outcome] = Field(default_factory=list, description="The last few decisions, by message id.")

    def outcome_of(self, message_id: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.message_id == message_id), None)


def _handoff(
    state: ConversationMood, scored: MessageScore, rules: HandoffRules, may_ask: bool
) -> tuple[str, str] | None:
    if not may_ask:
        return None
    if scored.has("ask_human") and rules.keywords:
        return "keyword", "The visitor asked for a human."
    cooling = state.last_handoff_at is not None and state.messages - state.last_handoff_at < rules.cooldown_messages
    if cooling:
        return None
    if scored.has("profanity") and rules.on_profanity:
        return "sentiment", "The visitor is using profanity."
    if scored.has("anger") and rules.on_anger:
        return "sentiment", "The visitor is angry."
    if rules.repeated_failures and state.failures >= rules.repeated_failures:
        return "sentiment", f"The assistant failed the visitor {state.failures} times (repeated or rejected answers)."
    if state.messages >= 2 and state.mood < rules.sentiment_threshold:
        return "sentiment", f"The conversation's mood fell to {state.mood:.2f}."
    return None


def advance(
    state: ConversationMood,
    message_id: str,
    text: str,
    scored: MessageScore,
    rules: HandoffRules,
    *,
    may_ask: bool = True,
) -> tuple[ConversationMood, Outcome]:
    """The state after one more visitor message, and what to publish for it.

    ``may_ask`` False: whatever the message says, no handoff request (the monitor's own rate
    limit, see service.py); the message still moves the mood.
    """
    new = state.model_copy(deep=True)
    weight = rules.mood_weight if state.messages else 1.0
    new.mood = round(weight * scored.score + (1 - weight) * state.mood, 4)
    new.messages += 1
    if scored.has("repeated_failure") or scored.has("repeated_question"):
        new.failures += FAILURE_WEIGHT
    new.recent = [*state.recent, normalise(text)][-RECENT:]
    decision = _handoff(new, scored, rules, may_ask)
    if decision is not None:
        new.last_handoff_at = new.messages
        new.failures = 0
    outcome = Outcome(
        message_id=message_id,
        score=scored.score,
        mood=new.mood,
        signals=list(scored.signals),
        handoff=decision[0] if decision else None,
        reason=decision[1] if decision else "",
    )
    new.outcomes = [*state.outcomes, outcome][-RECENT:]
    return new, outcome
