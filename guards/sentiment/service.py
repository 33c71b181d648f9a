"""The sentiment monitor's logic, independent of the bus: a visitor message in, events out."""

from __future__ import annotations

import logging

from guards.sentiment.handoffs import HandoffStates, NoHandoffs
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
    def __init__(self, store: MoodStore, rules: TenantRules, handoffs: HandoffStates | None = None) -> None:
        self.store = store
        self.rules = rules
        self.handoffs: HandoffStates = handoffs or NoHandoffs()

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
            if outcome.handoff is not None and await self._limited(state, message, rules):
                new, outcome = self._advance(state, message, rules, may_ask=False)
            if outcome.handoff is not None:
                new.last_request_at = message.ts
            try:
                await self.store.save(key, new, revision)
            except Conflict:
                continue  # another replica updated this conversation; re-read and redo
            return events_for(message, outcome)
        raise RuntimeError(f"Expected to update {key} within {MAX_CONFLICTS} attempts, but it kept changing")

    async def _limited(self, state: ConversationMood, message: UserMessage, rules: HandoffRules) -> bool:
        """At most one request per conversation per window, and none while a human is on it already."""
        last = state.last_request_at
        if last is not None and (message.ts - last).total_seconds() < rules.request_window_s:
            return True
        return await self.handoffs.busy(message.tenant_id, message.conversation_id)

    @staticmethod
    def _advance(
        state: ConversationMood, message: UserMessage, rules: HandoffRules, *, may_ask: bool = True
    ) -> tuple[ConversationMood, Outcome]:
        scored = score_message(message.text, rules.keywords, state.recent)
        return advance(state, message.message_id, message.text, scored, rules, may_ask=may_ask)
