import asyncio
import contextlib

import pytest

from orchestrator.gate import Lock, Resume
from orchestrator.ids import reply_ids
from orchestrator.memory_gate import MemoryGate
from orchestrator.turns import LockLost, Orchestrator, PublishFailed, answer, handle_user_message
from shared.events import Author, Event, MessageCancelled, MessageCompleted, MessageCreated, MessageDelta, UserMessage
from shared.tenants import Tenant
from tests.fakes.scripted_provider import ScriptedProvider
from tests.orchestrator._helpers import Recorder, never_rewinds, user_message, widget_texts


async def test_one_turn_emits_created_deltas_completed(orch: Orchestrator, recorder: Recorder) -> None:
    user = user_message("c1", 1)
    assert await handle_user_message(orch, user, seq=None) == "ack"
    ids = reply_ids(user)
    typing = recorder.of("typing")
    assert [(e.on, e.who, e.name) for e in typing] == [(True, "assistant", "Ada"), (False, "assistant", "Ada")]  # type: ignore[attr-defined]
    assert recorder.events[0] is typing[0]
    kinds = [e.type for e in recorder.events if e.type != "typing"]
    assert kinds[0] == "message.created"
    assert kinds[-1] == "message.completed"
    assert set(kinds[1:-1]) == {"message.delta"}

    created = recorder.of("message.created")[0]
    assert isinstance(created, MessageCreated)
    assert (created.id, created.message_id, created.reply_to) == (ids.created, ids.message_id, "m1")
    assert created.author is not None
    assert created.author.name == "Ada"
    assert created.sources[0].id == "shipping#shipping-options-and-costs"

    deltas = [e for e in recorder.events if isinstance(e, MessageDelta)]
    text = ""
    for delta in deltas:
        assert delta.offset == len(text)
        assert delta.message_id == ids.message_id
        text += delta.text
    completed = recorder.events[-1]
    assert isinstance(completed, MessageCompleted)  # after typing stopped: the widget sees no gap
    assert completed.id == ids.completed
    assert completed.text == text == "Standard shipping costs $5.95."
    assert completed.sources == created.sources


def test_reply_ids_are_deterministic_and_distinct() -> None:
    first, again = reply_ids(user_message("c", 1)), reply_ids(user_message("c", 1))
    assert first == again
    assert len({first.message_id, first.created, first.completed, first.cancelled, first.notice}) == 5
    assert reply_ids(user_message("c", 2)).message_id != first.message_id
    assert reply_ids(user_message("d", 1)).message_id != first.message_id


async def test_redelivered_message_is_acked_without_answering(orch: Orchestrator, recorder: Recorder) -> None:
    gate = orch.gate
    assert isinstance(gate, MemoryGate)
    user = user_message("c1", 1)
    gate.messages["acme.c1"] = [(7, user)]
    assert await handle_user_message(orch, user, seq=7) == "ack"
    answered = len(recorder.events)
    assert await handle_user_message(orch, user, seq=7) == "ack"
    assert len(recorder.events) == answered
    assert await gate.answered_through("acme", "c1") == 7


async def test_earlier_unanswered_messages_are_answered_first(
    orch: Orchestrator, recorder: Recorder, provider: ScriptedProvider
) -> None:
    gate = orch.gate
    assert isinstance(gate, MemoryGate)
    first, second = user_message("c1", 1, "first?"), user_message("c1", 2, "second?")
    gate.messages["acme.c1"] = [(3, first), (5, second)]
    # The second message arrives before the first (another replica was slow to get it).
    assert await handle_user_message(orch, second, seq=5) == "ack"
    completed = recorder.of("message.completed")
    assert [e.reply_to for e in completed] == ["m1", "m2"]  # type: ignore[attr-defined]
    assert [c["messages"][-1]["content"] for c in provider.calls] == ["first?", "second?"]
    assert await handle_user_message(orch, first, seq=3) == "ack"
    assert len(recorder.of("message.completed")) == 2


async def test_conversation_held_elsewhere_means_retry(orch: Orchestrator, recorder: Recorder) -> None:
    held = await orch.gate.acquire("acme", "c1")
    assert held is not None
    assert await handle_user_message(orch, user_message("c1", 1), seq=1) == "retry"
    assert recorder.events == []
    await orch.gate.release(held)
    assert await handle_user_message(orch, user_message("c1", 1), seq=1) == "ack"
    assert len(recorder.of("message.completed")) == 1


async def test_assigned_conversation_is_not_answered(orch: Orchestrator, recorder: Recorder) -> None:
    gate = orch.gate
    assert isinstance(gate, MemoryGate)
    gate.modes["acme.c1"] = "assigned"
    assert await handle_user_message(orch, user_message("c1", 1), seq=4) == "ack"
    assert recorder.events == []
    assert await gate.answered_through("acme", "c1") == 4


async def test_conversation_queued_for_a_human_is_not_answered(orch: Orchestrator, recorder: Recorder) -> None:
    """The handoff service writes mode 'queued' when the tenant does not let the AI answer meanwhile."""
    gate = orch.gate
    assert isinstance(gate, MemoryGate)
    gate.modes["acme.c1"] = "queued"
    assert await handle_user_message(orch, user_message("c1", 1), seq=4) == "ack"
    assert recorder.events == []
    assert await gate.answered_through("acme", "c1") == 4


async def test_message_sent_while_queued_is_not_answered_after_the_hand_back(
    orch: Orchestrator, recorder: Recorder
) -> None:
    """Queued, then back to the AI (no agent came): the handoff.ended after it says it was not ours."""
    gate = orch.gate
    assert isinstance(gate, MemoryGate)
    during, after = user_message("c1", 1, "anyone?"), user_message("c1", 2, "after?")
    gate.messages["acme.c1"] = [(4, during), (9, after)]
    gate.modes["acme.c1"] = "queued"
    gate.locks.add("acme.c1")  # busy elsewhere while it was queued
    assert await handle_user_message(orch, during, seq=4) == "retry"
    gate.locks.clear()
    gate.modes["acme.c1"] = "ai"
    gate.handoff_ends["acme.c1"] = 6
    assert await handle_user_message(orch, after, seq=9) == "ack"
    assert [e.reply_to for e in recorder.of("message.completed")] == ["m2"]  # type: ignore[attr-defined]


async def test_cancel_mid_stream_emits_cancelled_with_text_so_far(
    orch: Orchestrator, recorder: Recorder, acme: Tenant
) -> None:
    provider = ScriptedProvider("one two three four five", pause_after=2)
    orch.provider_for = lambda tenant: provider
    turn = asyncio.create_task(answer(orch, acme, user_message("c1", 1)))
    await asyncio.wait_for(provider.paused.wait(), 5)
    assert orch.cancel("acme", "c1", "agent_joined") is True
    assert await asyncio.wait_for(turn, 5) == "cancelled"
    assert provider.closed == 1  # the provider's stream was closed, not left running
    assert recorder.of("message.completed") == []
    cancelled = recorder.of("message.cancelled")
    assert len(cancelled) == 1
    assert isinstance(cancelled[0], MessageCancelled)
    assert cancelled[0].reason == "agent_joined"
    # The cancelled text is exactly what the deltas said: the widget's view and the record agree.
    said = "".join(e.text for e in recorder.of("message.delta"))  # type: ignore[attr-defined]
    assert cancelled[0].text == said
    assert said in ("one", "one two")  # stopped at the pause, never reached "three"
    assert orch.registry.get("acme", "c1") is None


async def test_provider_failure_cancels_with_reason_error(orch: Orchestrator, recorder: Recorder, acme: Tenant) -> None:
    class Broken(ScriptedProvider):
        async def stream(self, messages, sources, tenant):  # type: ignore[no-untyped-def,override]
            yield "partial"
            raise RuntimeError("model went away")

    orch.provider_for = lambda tenant: Broken()
    assert await answer(orch, acme, user_message("c1", 1)) == "failed"
    cancelled = recorder.of("message.cancelled")
    assert [(e.reason, e.text) for e in cancelled] == [("error", "partial")]  # type: ignore[attr-defined]
    [notice] = recorder.of("notice")
    assert notice.code == "assistant_error"  # type: ignore[attr-defined]
    assert "human" in notice.text  # type: ignore[attr-defined]


async def test_unknown_tenant_is_dropped(orch: Orchestrator, recorder: Recorder) -> None:
    user = user_message("c1", 1).model_copy(update={"tenant_id": "nobody"})
    assert await handle_user_message(orch, user, seq=1) == "ack"
    assert recorder.events == []


async def test_failed_turn_reruns_with_the_same_ids(orch: Orchestrator, recorder: Recorder) -> None:
    """A crash mid-turn (here: NATS refusing a publish) leaves the message unanswered; the rerun reuses every id."""
    calls = 0

    async def fails_at_first(event: Event) -> None:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise ConnectionError("nats: connection closed")
        await recorder(event)

    orch.publish = fails_at_first
    gate = orch.gate
    assert isinstance(gate, MemoryGate)
    user = user_message("c1", 1)
    gate.messages["acme.c1"] = [(9, user)]
    with pytest.raises(PublishFailed):
        await handle_user_message(orch, user, seq=9)
    assert await gate.answered_through("acme", "c1") == 0
    assert gate.locks == set()  # released, so the redelivery is not blocked
    first_created = recorder.of("message.created")[0]

    assert await handle_user_message(orch, user, seq=9) == "ack"
    created = recorder.of("message.created")
    assert [e.id for e in created] == [first_created.id] * 2  # JetStream drops the second copy
    [completed] = recorder.of("message.completed")
    assert completed.message_id == first_created.message_id  # type: ignore[attr-defined]
    rerun_deltas = [e for e in recorder.of("message.delta") if e.offset == 0]  # type: ignore[attr-defined]
    assert len(rerun_deltas) == 2  # the rerun streams again from offset 0
    assert await gate.answered_through("acme", "c1") == 9


async def test_rerun_of_a_cut_off_reply_continues_without_rewinding(orch: Orchestrator, recorder: Recorder) -> None:
    """A redelivered turn learns how much text the widget shows and never sends it a shorter text."""
    calls = 0

    async def fails_at_first(event: Event) -> None:
        nonlocal calls
        calls += 1
        if calls == 5:  # typing, created, two deltas out, then NATS is gone
            raise ConnectionError("nats: connection closed")
        await recorder(event)

    orch.publish = fails_at_first
    gate = orch.gate
    assert isinstance(gate, MemoryGate)
    user = user_message("c1", 1)
    with pytest.raises(PublishFailed):
        await handle_user_message(orch, user, seq=9)
    first = recorder.of("message.delta")
    shown = widget_texts(first)[-1]
    assert len(first) == 2, "the cut-off run showed some text"
    gate.resumes[first[0].message_id] = Resume(shown=len(shown))  # type: ignore[attr-defined]

    assert await handle_user_message(orch, user, seq=9, redelivered=True) == "ack"
    rerun = recorder.of("message.delta")[len(first) :]
    assert rerun[0].offset == 0  # type: ignore[attr-defined]
    assert len(rerun[0].text) >= len(shown)  # type: ignore[attr-defined]
    texts = widget_texts(recorder.of("message.delta"))
    assert never_rewinds(texts)
    [completed] = recorder.of("message.completed")
    assert texts[-1] == completed.text  # type: ignore[attr-defined]
    assert orch.stats["taken_over"] == 1


async def test_rerun_of_a_reply_that_was_completed_publishes_nothing(orch: Orchestrator, recorder: Recorder) -> None:
    """Cut off after its completed event was stored (before answered-through was): no second turn."""
    gate = orch.gate
    assert isinstance(gate, MemoryGate)
    user = user_message("c1", 1)
    gate.resumes[reply_ids(user).message_id] = Resume(ended="completed", shown=30)
    assert await handle_user_message(orch, user, seq=9, redelivered=True) == "ack"
    assert recorder.events == []
    assert await gate.answered_through("acme", "c1") == 9


async def test_turn_that_lost_its_lock_stops_without_another_word(orch: Orchestrator, recorder: Recorder) -> None:
    """The lock expired mid-reply (a stalled replica): another may be answering, so stop silently."""
    provider = ScriptedProvider("Standard shipping costs $5.95 and takes three days.", pause_after=2)
    orch.provider_for = lambda tenant: provider
    gate = orch.gate
    assert isinstance(gate, MemoryGate)
    turn = asyncio.create_task(handle_user_message(orch, user_message("c1", 1), seq=9, heartbeat=0.01))
    await provider.paused.wait()
    said = list(recorder.events)
    gate.locks.clear()  # expired
    with pytest.raises(LockLost):
        await turn
    assert recorder.events == said, "no cancelled, completed or notice after the lock was lost"
    assert await gate.answered_through("acme", "c1") == 0, "left to the replica holding the lock now"


class SwallowingGate(MemoryGate):
    """A lock refresh that eats the cancellation arriving with its reply, as nats-py can."""

    def __init__(self) -> None:
        super().__init__()
        self.refreshing = asyncio.Event()
        self.answer = asyncio.Event()

    async def refresh(self, lock: Lock) -> bool:
        self.refreshing.set()
        with contextlib.suppress(asyncio.CancelledError):  # swallowed: the caller never learns of it
            await self.answer.wait()
        return await super().refresh(lock)


async def test_a_lock_keeper_that_swallows_its_cancellation_does_not_hold_the_turn(
    orch: Orchestrator, recorder: Recorder
) -> None:
    """Found by killing nats-server mid-turn: the turn waited forever on its keeper, which kept
    refreshing the lock, so the conversation was never answered again."""
    provider = ScriptedProvider("Standard shipping costs $5.95.", pause_after=1)
    orch.provider_for = lambda tenant: provider
    gate = orch.gate = SwallowingGate()
    turn = asyncio.create_task(handle_user_message(orch, user_message("c1", 1), seq=9, heartbeat=0.01))
    await gate.refreshing.wait()
    provider.resume.set()  # the turn ends while its keeper is inside a refresh
    assert await asyncio.wait_for(turn, 30) == "ack"  # the bound only turns a hang into a failure
    assert gate.locks == set(), "released"


async def test_message_sent_before_a_hand_back_is_not_answered_after_it(orch: Orchestrator, recorder: Recorder) -> None:
    """Stored while an agent had the conversation, handled only after the hand-back (mode is ai again)."""
    gate = orch.gate
    assert isinstance(gate, MemoryGate)
    during, after = user_message("c1", 1, "during?"), user_message("c1", 2, "after?")
    gate.messages["acme.c1"] = [(4, during), (9, after)]
    gate.handoff_ends["acme.c1"] = 6  # handoff.ended at seq 6, mode back to ai
    assert await handle_user_message(orch, during, seq=4) == "ack"
    assert recorder.events == []
    assert await gate.answered_through("acme", "c1") == 4
    assert await handle_user_message(orch, after, seq=9) == "ack"
    assert [e.reply_to for e in recorder.of("message.completed")] == ["m2"]  # type: ignore[attr-defined]


class TakeoverDuringPendingRead(MemoryGate):
    """An agent takes the conversation while the turn reads its pending messages: after the
    mode was read (still "ai") and before the reply's stream is open."""

    def __init__(self) -> None:
        super().__init__()
        self.orch: Orchestrator | None = None

    async def pending(self, tenant_id: str, conversation_id: str, after: int, through: int):  # type: ignore[no-untyped-def]
        self.modes[f"{tenant_id}.{conversation_id}"] = "assigned"
        assert self.orch is not None
        assert self.orch.cancel(tenant_id, conversation_id, "agent_joined") is False, "no stream open yet"
        return await super().pending(tenant_id, conversation_id, after, through)


async def test_a_takeover_between_the_mode_read_and_the_reply_is_seen(orch: Orchestrator, recorder: Recorder) -> None:
    # The mode is read before the pending messages (one round trip with the answered position);
    # a takeover landing in between reaches no stream, so the turn must read the mode again.
    gate = TakeoverDuringPendingRead()
    gate.orch, orch.gate = orch, gate
    user = user_message("c1", 1)
    gate.messages["acme.c1"] = [(7, user)]
    assert await handle_user_message(orch, user, seq=7) == "ack"
    assert [e.type for e in recorder.events if e.type != "typing"] == [], "the agent has it: the AI says nothing"
    assert orch.stats["skipped"] == 1


class CountingGate(MemoryGate):
    """Counts the stream reads a turn makes."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[tuple[str, int, int]] = []

    async def pending(self, tenant_id: str, conversation_id: str, after: int, through: int):  # type: ignore[no-untyped-def]
        self.reads.append(("pending", after, through))
        return await super().pending(tenant_id, conversation_id, after, through)

    async def events(self, tenant_id: str, conversation_id: str, after: int, before: int):  # type: ignore[no-untyped-def]
        self.reads.append(("events", after, before))
        return await super().events(tenant_id, conversation_id, after, before)

    async def stored_events(self, tenant_id: str, conversation_id: str, after: int, before: int):  # type: ignore[no-untyped-def]
        self.reads.append(("stored", after, before))
        return await super().stored_events(tenant_id, conversation_id, after, before)


def agent_said(text: str) -> MessageCompleted:
    return MessageCompleted(
        tenant_id="acme", conversation_id="c1", message_id="agent-1", role="agent", text=text, author=Author(name="Bo")
    )


def completed_reply(user: UserMessage, text: str) -> MessageCompleted:
    ids = reply_ids(user)
    return MessageCompleted(
        id=ids.completed, tenant_id="acme", conversation_id=user.conversation_id, message_id=ids.message_id,
        role="assistant", text=text, reply_to=user.message_id,
    )  # fmt: skip


async def test_a_next_turn_reads_the_stream_once_with_the_lock(orch: Orchestrator, provider: ScriptedProvider) -> None:
    gate = CountingGate()
    orch.gate = gate
    first, second = user_message("c1", 1, "first?"), user_message("c1", 2, "second?")
    gate.messages["acme.c1"] = [(1, first)]
    assert await handle_user_message(orch, first, seq=1) == "ack"
    assert gate.reads == [("pending", 0, 1)], "no hint yet: the pending messages are read after the lock"
    # The reply and an agent's aside were stored, then the second question.
    gate.stored["acme.c1"] = [(2, completed_reply(first, "The first answer.")), (3, agent_said("Hi, Bo here."))]
    gate.messages["acme.c1"].append((4, second))
    gate.reads.clear()
    assert await handle_user_message(orch, second, seq=4) == "ack"
    # One read from where this replica last answered: the pending messages and the transcript
    # to fold both come from it.
    assert gate.reads == [("stored", 1, 5)]
    prompt = provider.calls[-1]["messages"]
    assert any("Hi, Bo here." in m["content"] for m in prompt), "the agent's aside was folded in"
    assert prompt[-1] == {"role": "user", "content": "second?"}


async def test_an_answered_position_moved_by_another_replica_is_taken_from_the_gate(
    orch: Orchestrator, recorder: Recorder
) -> None:
    gate = CountingGate()
    orch.gate = gate
    messages = [user_message("c1", n, f"q{n}?") for n in (1, 2, 3)]
    gate.messages["acme.c1"] = [(1, messages[0])]
    assert await handle_user_message(orch, messages[0], seq=1) == "ack"
    # Another replica answered seq 3 meanwhile; this one knows only seq 1.
    gate.messages["acme.c1"] += [(3, messages[1]), (5, messages[2])]
    gate.answered["acme.c1"] = 3
    assert await handle_user_message(orch, messages[2], seq=5) == "ack"
    assert [e.reply_to for e in recorder.of("message.completed")] == ["m1", "m3"]  # type: ignore[attr-defined]
    # A hint ahead of the gate (it was reset): the window does not cover the range, so the
    # pending messages are read from the gate's position and nothing is skipped.
    orch.answered_hint.set("acme", "c1", 9)
    gate.messages["acme.c1"] += [(7, user_message("c1", 4, "q4?")), (10, user_message("c1", 5, "q5?"))]
    gate.answered["acme.c1"] = 5
    gate.reads.clear()
    assert await handle_user_message(orch, user_message("c1", 5, "q5?"), seq=10) == "ack"
    assert ("pending", 5, 10) in gate.reads
    assert [e.reply_to for e in recorder.of("message.completed")][-2:] == ["m4", "m5"]  # type: ignore[attr-defined]
