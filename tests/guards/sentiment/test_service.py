"""The monitor's logic with an in-memory store: rolling mood, tenant rules, repeats, retries."""

from __future__ import annotations

from datetime import timedelta

from guards.sentiment.handoffs import MemoryHandoffStates
from guards.sentiment.service import SentimentMonitor
from guards.sentiment.store import Conflict, MemoryMoodStore, mood_key
from guards.tenancy import TenantRules
from shared.events import HandoffRequested, SentimentScored, UserMessage
from shared.tenants import HandoffRules, Tenant, TenantDirectory


def tenants(**rules: object) -> TenantRules:
    handoff = HandoffRules(**rules)  # type: ignore[arg-type]
    return TenantRules(TenantDirectory(tenants=[Tenant(id="acme", name="Acme", widget_key="k", handoff=handoff)]))


def msg(text: str, n: int, conversation: str = "c1") -> UserMessage:
    return UserMessage(tenant_id="acme", conversation_id=conversation, message_id=f"{conversation}-m{n}",
                       client_id=f"x{n}", visitor_id="v", text=text)  # fmt: skip


def handoffs(events: list) -> list[HandoffRequested]:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, HandoffRequested)]


async def test_neutral_message_is_scored_without_handoff() -> None:
    monitor = SentimentMonitor(MemoryMoodStore(), tenants())
    events = await monitor.process(msg("How long does shipping take?", 1))
    assert len(events) == 1
    scored = events[0]
    assert isinstance(scored, SentimentScored)
    assert (scored.id, scored.signals, scored.handoff) == ("sentiment-c1-m1", [], False)


async def test_ask_for_human_is_a_keyword_handoff() -> None:
    monitor = SentimentMonitor(MemoryMoodStore(), tenants())
    [request] = handoffs(await monitor.process(msg("I want to speak to a real person", 1)))
    assert request.trigger == "keyword"
    assert request.id == "handoff-c1-m1"


async def test_tenant_without_keywords_does_not_hand_off_on_asks() -> None:
    monitor = SentimentMonitor(MemoryMoodStore(), tenants(keywords=[]))
    assert handoffs(await monitor.process(msg("I want to speak to a real person", 1))) == []


async def test_anger_and_profanity_follow_tenant_switches() -> None:
    strict = SentimentMonitor(MemoryMoodStore(), tenants())
    [request] = handoffs(await strict.process(msg("This is ridiculous, unacceptable service!!!", 1)))
    assert request.trigger == "sentiment"
    lenient = SentimentMonitor(MemoryMoodStore(), tenants(on_anger=False, on_profanity=False, sentiment_threshold=-1.0))
    assert handoffs(await lenient.process(msg("This is ridiculous, unacceptable service!!!", 1))) == []
    assert handoffs(await lenient.process(msg("wtf is this", 2))) == []


async def test_repeated_question_across_messages_counts_as_failure() -> None:
    # A repeat counts as two signs of failure; this tenant gives the assistant a second chance.
    monitor = SentimentMonitor(MemoryMoodStore(), tenants(repeated_failures=4))
    first = await monitor.process(msg("How do I reset my password?", 1))
    again = await monitor.process(msg("how can I reset my password", 2))
    assert "repeated_question" not in first[0].signals  # type: ignore[attr-defined]
    assert "repeated_question" in again[0].signals  # type: ignore[attr-defined]
    assert handoffs(again) == []  # two signs are below the tenant's threshold of 4
    third = await monitor.process(msg("That's not what I asked.", 3))
    [request] = handoffs(third)
    assert "failed the visitor 4 times" in request.reason


async def test_one_rejected_answer_hands_off_with_the_default_rules() -> None:
    monitor = SentimentMonitor(MemoryMoodStore(), tenants())
    assert handoffs(await monitor.process(msg("How do I reset my password?", 1))) == []
    [request] = handoffs(await monitor.process(msg("That's not what I asked.", 2)))
    assert request.trigger == "sentiment"


async def test_rolling_mood_falls_below_the_threshold() -> None:
    monitor = SentimentMonitor(MemoryMoodStore(), tenants(on_anger=False, sentiment_threshold=-0.3, mood_weight=0.5))
    events = await monitor.process(msg("I'm very unhappy with the delay.", 1))
    assert handoffs(events) == []  # one message is not a mood
    events = await monitor.process(msg("This is really disappointing and sad.", 2))
    [request] = handoffs(events)
    assert "mood" in request.reason
    assert events[0].mood < -0.3  # type: ignore[attr-defined]


async def test_cooldown_after_a_sentiment_handoff() -> None:
    monitor = SentimentMonitor(MemoryMoodStore(), tenants(cooldown_messages=3))
    assert handoffs(await monitor.process(msg("You people are useless.", 1)))
    assert handoffs(await monitor.process(msg("Useless, pathetic service.", 2))) == []


async def test_redelivery_republishes_the_same_events_without_moving_the_mood() -> None:
    store = MemoryMoodStore()
    monitor = SentimentMonitor(store, tenants())
    first = await monitor.process(msg("You people are useless.", 1))
    state_before, revision = await store.load(mood_key("acme", "c1"))
    again = await monitor.process(msg("You people are useless.", 1))
    state_after, revision_after = await store.load(mood_key("acme", "c1"))
    assert [e.model_dump(exclude={"ts"}) for e in again] == [e.model_dump(exclude={"ts"}) for e in first]
    assert (state_after, revision_after) == (state_before, revision)


async def test_a_conflicting_write_is_retried_on_fresh_state() -> None:
    class RacingStore(MemoryMoodStore):
        """Another replica writes once between our read and our write."""

        raced = False

        async def save(self, key, state, revision):  # type: ignore[no-untyped-def]
            if not self.raced:
                self.raced = True
                other, rev = await self.load(key)
                other.messages += 1
                await super().save(key, other, rev)
                raise Conflict(key)
            await super().save(key, state, revision)

    store = RacingStore()
    await SentimentMonitor(store, tenants()).process(msg("Hello there", 1))
    state, revision = await store.load(mood_key("acme", "c1"))
    assert (state.messages, revision) == (2, 2)


ANGRY = "This is ridiculous, unacceptable service!!!"


async def test_a_flood_of_angry_messages_is_one_handoff_request() -> None:
    monitor = SentimentMonitor(MemoryMoodStore(), tenants())
    events = [e for n in range(50) for e in await monitor.process(msg(ANGRY if n % 2 else "I want a human NOW", n))]
    assert len(handoffs(events)) == 1
    scored = [e for e in events if isinstance(e, SentimentScored)]
    assert len(scored) == 50
    assert sum(s.handoff for s in scored) == 1  # the rest still move the mood, without asking


async def test_after_the_window_the_monitor_may_ask_again() -> None:
    monitor = SentimentMonitor(MemoryMoodStore(), tenants(request_window_s=60, cooldown_messages=0))
    first = msg(ANGRY, 1)
    assert handoffs(await monitor.process(first))
    soon = msg(ANGRY, 2).model_copy(update={"ts": first.ts + timedelta(seconds=59)})
    assert handoffs(await monitor.process(soon)) == []
    later = msg(ANGRY, 3).model_copy(update={"ts": first.ts + timedelta(seconds=61)})
    assert handoffs(await monitor.process(later))


async def test_no_request_while_a_human_is_queued_or_assigned() -> None:
    states = MemoryHandoffStates()
    monitor = SentimentMonitor(MemoryMoodStore(), tenants(request_window_s=0), states)
    for state in ("queued", "assigned"):
        states.states[("acme", "c1")] = state
        assert handoffs(await monitor.process(msg(ANGRY, len(state)))) == []
    states.states[("acme", "c1")] = "ai"
    assert handoffs(await monitor.process(msg("I want to talk to a human", 99)))
