"""The sentiment monitor's logic, independent of the bus: a visitor message in, events out."""

from __future__ import annotations

import logging

from guards.sentiment.mood import ConversationMood, Outcome, advance
from guards.sentiment.scoring import score_message
from guards.sentiment.store import Conflict, MoodStore, mood_key
from guards.tenancy import TenantRules
from shared.events import Event, HandoffRequested, SentimentScored, UserMessage
from shared.tenants import HandoffRules

log = logging.getLogger(__name__)

MAX_CONFLICTS = 20


def events_for(message: UserMessage, outcome: Outcome) -> list[Event]:
    """What to publish for a scored message; ids derive from the message, so republishing is harmless."""
    events: list[Event] = [
        SentimentScored(
            id=f"sentiment-{message.message_id}",
            tenant_id=message.tenant_id,
            conversation_id=message.conversation_id,
            message_id=message.message_id,
            score=outcome.score,
            mood=outcome.mood,
            signals=outcome.signals,
            handoff=outcome.handoff is not None,
        )
    ]
    if outcome.handoff is not None:
        events.append(
            HandoffRequested(
                id=f"handoff-{message.message_id}",
                tenant_id=message.tenant_id,
                conversation_id=message.conversation_id,
                trigger=outcome.handoff,  # type: ignore[arg-type]
                reason=outcome.reason,
            )
        )
    return events


class SentimentMonitor:
    def __init__(self, store: MoodStore, rules: TenantRules) -> None:
        self.store = store
        self.rules = rules

    async def process(self, message: UserMessage) -> list[Event]:
        """Score a visitor message, update the conversation's mood, return the events to publish."""
        rules = self.rules.handoff(message.tenant_id)
        key = mood_key(message.tenant_id, message.conversation_id)
        for _ in range(MAX_CONFLICTS):
            state, revision = await self.store.load(key)
            done = state.outcome_of(message.message_id)
            if done is not None:  # a redelivery after we saved but before the ack
                return events_for(message, done)
            new, outcome = self._advance(state, message, rules)
            try:
                await self.store.save(key, new, revision)
            except Conflict:
                continue  # another replica updated this conversation; re-read and redo
            return events_for(message, outcome)
        raise RuntimeError(f"Expected to update {key} within {MAX_CONFLICTS} attempts, but it kept changing")

    @staticmethod
    def _advance(
        state: ConversationMood, message: UserMessage, rules: HandoffRules
    ) -> tuple[ConversationMood, Outcome]:
        scored = score_message(message.text, rules.keywords, state.recent)
        return advance(state, message.message_id, message.text, scored, rules)
