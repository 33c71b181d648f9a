"""Folding stored conversation events into the turn history (hand-back, lost turns, cut replies)."""

from __future__ import annotations

from orchestrator.graph import thread_id
from orchestrator.ids import reply_ids
from orchestrator.memory_gate import MemoryGate
from orchestrator.prompts import HistoryEntry, chat_messages, merge_history
from orchestrator.transcript import fold_events
from orchestrator.turns import Orchestrator, handle_user_message
from shared.events import Author, Event, MessageCancelled, MessageCompleted, MessageCreated
from tests.fakes.scripted_provider import ScriptedProvider
from tests.orchestrator._helpers import Recorder, user_message


def agent_said(n: int, text: str, conversation_id: str = "c1") -> MessageCompleted:
    return MessageCompleted(
        tenant_id="acme",
        conversation_id=conversation_id,
        message_id=f"agent-{n}",
        role="agent",
        text=text,
        author=Author(name="Sam"),
    )


def ai_reply(question_id: str, text: str, message_id: str | None = None) -> tuple[MessageCreated, MessageCompleted]:
    message_id = message_id or f"reply-{question_id}"
    common = {"tenant_id": "acme", "conversation_id": "c1", "message_id": message_id, "role": "assistant"}
    return (
        MessageCreated(**common, reply_to=question_id),  # type: ignore[arg-type]
        MessageCompleted(**common, text=text, reply_to=question_id),  # type: ignore[arg-type]
    )


def test_skipped_visitor_messages_and_agent_replies_fold_in_sequence_order() -> None:
    history: list[HistoryEntry] = [{"id": "m1", "question": "Express price?", "answer": "$14.95.", "seq": 1}]
    created, completed = ai_reply("m1", "$14.95.")
    events: list[tuple[int, Event]] = [
        (7, agent_said(2, "Yes, we ship to Canada.")),
        (2, created),
        (3, completed),  # already in history: not repeated
        (5, agent_said(1, "Hi, Sam here.")),
        (4, user_message("c1", 2, "Can I talk to a person?")),
        (6, user_message("c1", 3, "Do you ship to Canada?")),
    ]
    folded = fold_events(history, events)
    assert [(e["id"], e["question"], e["answer"], e.get("role")) for e in folded] == [
        ("m2", "Can I talk to a person?", "", None),
        ("agent-1", "", "Hi, Sam here.", "agent"),
        ("m3", "Do you ship to Canada?", "", None),
        ("agent-2", "", "Yes, we ship to Canada.", "agent"),
    ]
    assert [e["seq"] for e in folded] == [4, 5, 6, 7]
    merged = merge_history(history, folded)
    # Folding the same events again adds nothing: replicas and reruns agree.
    assert fold_events(merged, events) == []
    assert chat_messages(merged, "And the price to Canada?", "m4") == [
        {"role": "user", "content": "Express price?"},
        {"role": "assistant", "content": "$14.95."},
        {"role": "user", "content": "Can I talk to a person?"},
        {"role": "assistant", "content": "[Sam, human agent] Hi, Sam here."},
        {"role": "user", "content": "Do you ship to Canada?"},
        {"role": "assistant", "content": "[Sam, human agent] Yes, we ship to Canada."},
        {"role": "user", "content": "And the price to Canada?"},
    ]


def test_a_turn_missing_from_history_is_rebuilt_from_its_events() -> None:
    """Another replica answered (memory checkpointer), or a reply was cut short when an agent joined."""
    created, completed = ai_reply("m1", "Express costs $14.95.")
    cut_created, _ = ai_reply("m2", "", message_id="reply-m2")
    cut = MessageCancelled(
        tenant_id="acme", conversation_id="c1", message_id="reply-m2", reason="agent_joined", text="Boots run"
    )
    events: list[tuple[int, Event]] = [
        (1, user_message("c1", 1, "Express price?")),
        (2, created),
        (3, completed),
        (4, user_message("c1", 2, "Do boots run small?")),
        (5, cut_created),
        (6, cut),
    ]
    folded = fold_events([], events)
    assert [(e["id"], e["question"], e["answer"]) for e in folded] == [
        ("m1", "Express price?", "Express costs $14.95."),
        ("m2", "Do boots run small?", "Boots run"),
    ]


async def test_first_turn_after_hand_back_sees_the_agent_and_the_skipped_messages(
    orch: Orchestrator, recorder: Recorder
) -> None:
    provider = ScriptedProvider(["Express costs $14.95.", "Canada shipping is $20."])
    orch.provider_for = lambda tenant: provider
    gate = orch.gate
    assert isinstance(gate, MemoryGate)
    first = user_message("c1", 1, "Express price?")
    gate.messages["acme.c1"] = [(1, first)]
    assert await handle_user_message(orch, first, seq=1) == "ack"
    [created], [completed] = recorder.of("message.created"), recorder.of("message.completed")
    assert completed.message_id == reply_ids(first).message_id  # type: ignore[attr-defined]
    gate.stored["acme.c1"] = [(2, created), (3, completed)]

    gate.modes["acme.c1"] = "assigned"
    skipped = user_message("c1", 2, "Can I talk to a person?")
    gate.messages["acme.c1"].append((4, skipped))
    assert await handle_user_message(orch, skipped, seq=4) == "ack"
    gate.stored["acme.c1"].append((5, agent_said(1, "Hi, Sam here. Canada works too.")))
    gate.modes["acme.c1"] = "ai"
    after = user_message("c1", 3, "How much to Canada?")
    gate.messages["acme.c1"].append((7, after))
    assert await handle_user_message(orch, after, seq=7) == "ack"

    assert len(provider.calls) == 2
    assert provider.calls[1]["messages"] == [
        {"role": "user", "content": "Express price?"},
        {"role": "assistant", "content": "Express costs $14.95."},
        {"role": "user", "content": "Can I talk to a person?"},
        {"role": "assistant", "content": "[Sam, human agent] Hi, Sam here. Canada works too."},
        {"role": "user", "content": "How much to Canada?"},
    ]
    state = await orch.graph.aget_state({"configurable": {"thread_id": thread_id("acme", "c1")}})
    assert state.values["folded_through"] == 7
    assert [h["id"] for h in state.values["history"]] == ["m1", "m2", "agent-1", "m3"]


async def test_an_unreadable_transcript_does_not_fail_the_turn(
    orch: Orchestrator, recorder: Recorder, provider: ScriptedProvider
) -> None:
    gate = orch.gate
    assert isinstance(gate, MemoryGate)

    async def broken(*args: object) -> list[tuple[int, Event]]:
        raise ConnectionError("nats: timeout")

    gate.events = broken  # type: ignore[method-assign]
    user = user_message("c1", 1)
    gate.messages["acme.c1"] = [(5, user)]
    assert await handle_user_message(orch, user, seq=5) == "ack"
    assert len(recorder.of("message.completed")) == 1
    state = await orch.graph.aget_state({"configurable": {"thread_id": thread_id("acme", "c1")}})
    assert state.values["folded_through"] == 5
