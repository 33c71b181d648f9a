from __future__ import annotations

from handoff.records import ConversationRecord
from handoff.transcript import build_transcript

TS = "2026-01-01T00:00:00Z"


def test_messages_with_flags_sentiment_and_handoffs_in_stream_order() -> None:
    record = ConversationRecord(tenant_id="t", conversation_id="c", state="assigned", agent_id="a")
    conv = [
        {"type": "message.user", "message_id": "u1", "text": "hi", "ts": TS, "seq": 1},
        {
            "type": "message.cancelled",
            "message_id": "r1",
            "text": "Our ret",
            "reason": "agent_joined",
            "ts": TS,
            "seq": 3,
        },
        {"type": "handoff.accepted", "agent": {"name": "Al"}, "ts": TS, "seq": 4},
        {
            "type": "message.flagged",
            "message_id": "r0",
            "start": 0,
            "end": 4,
            "sentence": "Yes.",
            "score": 0.8,
            "reason": "unsupported",
            "method": "grounding",
            "ts": TS,
            "seq": 5,
        },
        {"type": "message.completed", "message_id": "r0", "role": "assistant", "text": "Yes.", "ts": TS, "seq": 2},
        {
            "type": "message.completed",
            "message_id": "g1",
            "role": "agent",
            "text": "Hello",
            "author": {"name": "Al"},
            "ts": TS,
            "seq": 6,
        },
    ]
    ops = [
        {"type": "sentiment.scored", "message_id": "u1", "score": -0.7, "mood": -0.6, "signals": ["anger"], "ts": TS}
    ]
    t = build_transcript(record, conv, ops)
    assert [(m.message_id, m.role) for m in t.messages] == [
        ("u1", "visitor"),
        ("r0", "assistant"),
        ("r1", "assistant"),
        ("g1", "agent"),
    ]
    assert t.messages[1].flags[0].reason == "unsupported"
    assert t.messages[2].cancelled
    assert t.messages[0].sentiment == -0.7
    assert t.mood == -0.6
    assert t.messages[3].author.name == "Al"
    assert [h["type"] for h in t.handoffs] == ["handoff.accepted"]


def test_components_the_visitor_was_shown_and_actions_they_used_read_plainly() -> None:
    from orchestrator.builtin.store import track_form
    from shared.events.components import Button, Card, Carousel

    record = ConversationRecord(tenant_id="t", conversation_id="c", state="assigned", agent_id="a")
    form = track_form().components[0]
    tent = Card(
        title="Trail Tent 2P", subtitle="$249.00", buttons=[Button(label="Add to cart", action="add", value="t2")]
    )
    carousel = Carousel(id="car1", cards=[tent])
    conv = [
        {"type": "message.completed", "message_id": "r1", "role": "assistant", "text": "Here.", "ts": TS, "seq": 1,
         "components": [carousel.model_dump(mode="json"), form.model_dump(mode="json")]},
        {"type": "widget.action", "id": "w1", "name": "add", "value": "t2", "component_id": "car1", "ts": TS, "seq": 2},
        {"type": "widget.action", "id": "w2", "name": "track_order", "component_id": form.id, "ts": TS, "seq": 3,
         "value": {"order_number": "A1001", "email": "d@example.com"}},
        {"type": "widget.action", "id": "w3", "name": "mystery", "value": 7, "component_id": "gone", "ts": TS,
         "seq": 4},
    ]  # fmt: skip
    t = build_transcript(record, conv, [])
    reply, added, tracked, mystery = t.messages
    assert reply.shown == [
        "Carousel of 1: Trail Tent 2P $249.00",
        "Form “Track your order”: Order number, Email",
    ]
    assert reply.components[0].id == "car1"
    assert (added.role, added.action) == ("visitor", "add")
    assert added.text == "Clicked “Add to cart” on “Trail Tent 2P”"
    assert tracked.text == "Submitted “Track your order” — Order number: A1001 · Email: d@example.com"
    assert mystery.text == "Used “mystery” (7)"
