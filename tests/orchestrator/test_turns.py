import asyncio

from orchestrator.ids import reply_ids
from orchestrator.memory_gate import MemoryGate
from orchestrator.turns import Orchestrator, answer, handle_user_message
from shared.events import MessageCancelled, MessageCompleted, MessageCreated, MessageDelta
from shared.tenants import Tenant
from tests.fakes.scripted_provider import ScriptedProvider
from tests.orchestrator._helpers import Recorder, user_message


async def test_one_turn_emits_created_deltas_completed(orch: Orchestrator, recorder: Recorder) -> None:
    user = user_message("c1", 1)
    assert await handle_user_message(orch, user, seq=None) == "ack"
    ids = reply_ids(user)
    kinds = [e.type for e in recorder.events]
    assert kinds[0] == "message.created"
    assert kinds[-1] == "message.completed"
    assert set(kinds[1:-1]) == {"message.delta"}

    created = recorder.events[0]
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
    assert isinstance(completed, MessageCompleted)
    assert completed.id == ids.completed
    assert completed.text == text == "Standard shipping costs $5.95."
    assert completed.sources == created.sources


def test_reply_ids_are_deterministic_and_distinct() -> None:
    first, again = reply_ids(user_message("c", 1)), reply_ids(user_message("c", 1))
    assert first == again
    assert len({first.message_id, first.created, first.completed, first.cancelled}) == 4
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
    assert cancelled[0].text == "one two"
    assert len(recorder.of("message.delta")) == 2
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


async def test_unknown_tenant_is_dropped(orch: Orchestrator, recorder: Recorder) -> None:
    user = user_message("c1", 1).model_copy(update={"tenant_id": "nobody"})
    assert await handle_user_message(orch, user, seq=1) == "ack"
    assert recorder.events == []
