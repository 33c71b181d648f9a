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
