"""A conversation's transcript, read back from the SB_CONV and SB_OPS streams.

Messages come from SB_CONV (visitor, assistant, agent, cancelled replies); flags are attached
to the message they are about; sentiment scores and handoff requests come from SB_OPS.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from handoff.records import ConversationRecord
from shared.actions import describe_action, describe_component
from shared.events import Author, Component
from shared.subjects import CONV_STREAM, OPS_STREAM, Channel, conversation_pattern

if TYPE_CHECKING:
    from nats.js import JetStreamContext


class TranscriptFlag(BaseModel):
    start: int
    end: int
    sentence: str
    score: float
    reason: str
    action: str = "flag"


class TranscriptMessage(BaseModel):
    message_id: str
    role: str = Field(description="visitor, assistant, agent, system, or note (an internal note: agents only).")
    text: str
    author: Author | None = None
    ts: datetime
    seq: int | None = Field(None, description="Sequence in SB_CONV (the order the widget saw).")
    cancelled: bool = Field(False, description="A streaming reply that was stopped (e.g. an agent joined).")
    flags: list[TranscriptFlag] = Field(default_factory=list, description="Sentences the guard flagged.")
    sentiment: float | None = Field(None, description="Score of a visitor message, -1 to 1.")
    components: list[Component] = Field(default_factory=list, description="Components the visitor was shown with it.")
    shown: list[str] = Field(
        default_factory=list, description="Those components described in a line each, for people to read."
    )
    action: str | None = Field(None, description="For a widget action the visitor used: its name (text describes it).")


class SentimentPoint(BaseModel):
    message_id: str
    score: float
    mood: float = Field(description="Rolling mood after this message.")
    signals: list[str] = Field(default_factory=list)
    ts: datetime


class Transcript(BaseModel):
    conversation: ConversationRecord
    messages: list[TranscriptMessage]
    sentiment: list[SentimentPoint] = Field(default_factory=list, description="Visitor mood over time.")
    handoffs: list[dict[str, Any]] = Field(default_factory=list, description="Handoff events, oldest first.")
    mood: float | None = Field(None, description="Latest rolling mood, if scored.")


async def read_subject(js: JetStreamContext, stream: str, filter_subject: str, limit: int = 5000) -> list[dict]:
    """Every stored message on ``filter_subject``, oldest first, with ``seq`` set to its stream sequence."""
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=30, mem_storage=True
    )
    sub = await js.pull_subscribe(filter_subject, stream=stream, config=config)
    try:
        wanted = min((await sub.consumer_info()).num_pending or 0, limit)
        out: list[dict] = []
        seen = 0  # counts every message, so one that is not a JSON object cannot stall the loop
        while seen < wanted:
            for msg in await sub.fetch(min(256, wanted - seen), timeout=5):
                seen += 1
                try:
                    data = json.loads(msg.data) if msg.data else None
                except ValueError:
                    continue  # not ours to read; a transcript skips it rather than failing
                if isinstance(data, dict):
                    data["seq"] = msg.metadata.sequence.stream
                    out.append(data)
        return out
    finally:
        await sub.unsubscribe()


_COMPONENTS: TypeAdapter[list[Component]] = TypeAdapter(list[Component])


def _components(raw: Any) -> list[Component]:
    try:
        return _COMPONENTS.validate_python(raw or [])
    except ValidationError:  # written by a newer build: shown without them
        return []


def build_transcript(record: ConversationRecord, conv_events: list[dict], ops_events: list[dict]) -> Transcript:
    """Fold raw events into messages with their flags and sentiment (a pure function)."""
    messages: dict[str, TranscriptMessage] = {}
    flags: dict[str, list[TranscriptFlag]] = {}
    components: dict[str, Component] = {}
    handoffs: list[dict[str, Any]] = []
    for e in conv_events:
        kind = e.get("type", "")
        if kind == "message.user":
            messages[e["message_id"]] = TranscriptMessage(
                message_id=e["message_id"], role="visitor", text=e.get("text", ""), ts=e["ts"], seq=e.get("seq")
            )
        elif kind == "message.completed":
            shown = _components(e.get("components"))
            components.update((c.id, c) for c in shown)
            messages[e["message_id"]] = TranscriptMessage(
                message_id=e["message_id"],
                role=e.get("role", "assistant"),
                text=e.get("text", ""),
                author=e.get("author"),
                ts=e["ts"],
                seq=e.get("seq"),
                components=shown,
                shown=[describe_component(c) for c in shown],
            )
        elif kind == "widget.action":
            used = components.get(e.get("component_id") or "")
            messages[e.get("id", "")] = TranscriptMessage(
                message_id=e.get("id", ""),
                role="visitor",
                text=describe_action(e.get("name", ""), e.get("value"), used),
                ts=e["ts"],
                seq=e.get("seq"),
                action=e.get("name", ""),
            )
        elif kind == "message.cancelled" and e["message_id"] not in messages:
            messages[e["message_id"]] = TranscriptMessage(
                message_id=e["message_id"],
                role="assistant",
                text=e.get("text", ""),
                ts=e["ts"],
                seq=e.get("seq"),
                cancelled=True,
            )
        elif kind == "message.flagged":
            flags.setdefault(e["message_id"], []).append(TranscriptFlag.model_validate(e))
        elif kind.startswith("handoff.") or kind == "notice":
            handoffs.append(e)
    sentiment: list[SentimentPoint] = []
    notes: list[TranscriptMessage] = []
    for e in ops_events:
        kind = e.get("type", "")
        if kind == "sentiment.scored":
            point = SentimentPoint.model_validate(e)
            sentiment.append(point)
            if point.message_id in messages:
                messages[point.message_id].sentiment = point.score
        elif kind.startswith("handoff."):
            handoffs.append(e)
        elif kind == "agent.note":
            notes.append(
                TranscriptMessage(
                    message_id=e.get("note_id", e.get("id", "")),
                    role="note",
                    text=e.get("text", ""),
                    author=e.get("author"),
                    ts=e["ts"],
                )
            )
    for message_id, found in flags.items():
        if message_id in messages:
            messages[message_id].flags = found
    ordered = with_notes(sorted(messages.values(), key=lambda m: (m.seq or 0, m.ts)), notes)
    handoffs.sort(key=lambda e: str(e.get("ts", "")))
    return Transcript(
        conversation=record,
        messages=ordered,
        sentiment=sentiment,
        handoffs=handoffs,
        mood=sentiment[-1].mood if sentiment else None,
    )


def with_notes(ordered: list[TranscriptMessage], notes: list[TranscriptMessage]) -> list[TranscriptMessage]:
    """Notes (another stream: no comparable seq) go in by time, after every message written before them."""
    out = list(ordered)
    for note in sorted(notes, key=lambda n: n.ts):
        at = next((i for i, m in enumerate(out) if m.role != "note" and m.ts > note.ts), len(out))
        out.insert(at, note)
    return out


async def load_transcript(js: JetStreamContext, record: ConversationRecord) -> Transcript:
    t, c = record.tenant_id, record.conversation_id
    conv = await read_subject(js, CONV_STREAM, conversation_pattern(Channel.CONV, t, c))
    ops = await read_subject(js, OPS_STREAM, conversation_pattern(Channel.OPS, t, c))
    return build_transcript(record, conv, ops)
