"""Write durable events and what they imply (visitor, conversation, message, state), a batch per transaction.

Redelivery and replica races are harmless: the event row (unique id) is the gate, so an event
already recorded changes nothing, and every derived write is ordered by ``seq`` so an older
event processed late cannot undo a newer one. That also makes a batch equivalent to its
events recorded one by one: each table gets one statement (many rows) per batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.recorder.clean import clean_text, may_hold_unstorable, unstorable
from shared.db import Conversation, Message, StoredEvent, TenantRow, Visitor
from shared.db.base import utcnow
from shared.db.upsert import insert_on
from shared.subjects import Channel

MESSAGE_TYPES = frozenset({"message.user", "message.completed", "message.cancelled"})
# How far back a message.cancelled looks for its message.created (role, author, reply_to).
CREATED_LOOKBACK = 50
KEPT_IF_PRESENT = (TenantRow, Visitor, Conversation, Message)  # inserted unless the key exists

_visitors, _conversations = cast(Table, Visitor.__table__), cast(Table, Conversation.__table__)
# Every statement of a batch is built once: composing one (and its cache key) per batch cost
# the recorder more CPU than running it. Only the rows change from batch to batch.
SEEN = (
    update(_visitors)
    .where(_visitors.c.id == bindparam("v_id"), _visitors.c.last_seen_at < bindparam("v_ts"))
    .values(last_seen_at=bindparam("v_ts"))
)
OWNER = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("c_id"), _conversations.c.visitor_id.is_(None))
    .values(visitor_id=bindparam("c_visitor"))
)
POSITION = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("c_id"), _conversations.c.last_seq < bindparam("c_seq"))
    .values(last_seq=bindparam("c_seq"), updated_at=bindparam("c_ts"))
)
STATE = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("c_id"), _conversations.c.state_seq < bindparam("c_seq"))
    .values(state=bindparam("c_state"), state_seq=bindparam("c_seq"))
)


@dataclass(frozen=True)
class Inserts:
    """The dialect's inserts: events (returning the new ids), rows kept if present, replies upserted by seq."""

    event: Any
    ignore: dict[Any, Any]
    reply: Any


@cache
def inserts(dialect: str) -> Inserts:
    reply = insert_on(dialect, Message)
    changed = {k: reply.excluded[k] for k in ("role", "text", "author", "status", "reply_to", "sources", "seq")}
    return Inserts(
        event=insert_on(dialect, StoredEvent).on_conflict_do_nothing().returning(StoredEvent.id),
        ignore={model: insert_on(dialect, model).on_conflict_do_nothing() for model in KEPT_IF_PRESENT},
        # Completed and cancelled may both arrive for one reply; the later one in the stream wins.
        reply=reply.on_conflict_do_update(
            index_elements=[Message.id], set_=changed, where=Message.seq < reply.excluded.seq
        ),
    )


def inserts_for(session: AsyncSession) -> Inserts:
    return inserts(session.get_bind().dialect.name)


@dataclass(frozen=True)
class Recordable:
    """One decoded event at its stream position, checked to have the ids every row needs."""

    payload: dict[str, Any]
    seq: int
    channel: Channel
    event_id: str
    tenant_id: str
    conversation_id: str
    kind: str
    visitor_id: str | None
    ts: datetime


def recordable(payload: dict[str, Any], seq: int, channel: Channel, raw: bytes | None = None) -> Recordable:
    """Raises ValueError for a payload without type, tenant and conversation ids.

    ``raw``: the bytes ``payload`` was decoded from, if at hand; most events are then known
    storable from one scan of the bytes, without walking every string of the payload.
    """
    if (raw is None or may_hold_unstorable(raw)) and unstorable(payload):
        payload = clean_text(payload)
    tenant_id, conversation_id = payload.get("tenant_id"), payload.get("conversation_id")
    kind = payload.get("type")
    if not isinstance(tenant_id, str) or not isinstance(conversation_id, str) or not isinstance(kind, str):
        raise ValueError(f"Expected an event with type, tenant_id and conversation_id, got keys {sorted(payload)}")
    visitor_id = payload.get("visitor_id")
    return Recordable(
        payload={**payload, "seq": seq}, seq=seq, channel=channel,
        event_id=str(payload.get("id") or f"{channel}-{seq}"),
        tenant_id=tenant_id, conversation_id=conversation_id, kind=kind,
        visitor_id=visitor_id if isinstance(visitor_id, str) and visitor_id else None, ts=event_time(payload),
    )  # fmt: skip


def handoff_state(kind: str, payload: dict[str, Any]) -> str | None:
    """The conversation state a visitor-visible handoff event leaves behind, if any."""
    if kind == "handoff.queued":
        return "queued"
    if kind == "handoff.accepted":
        return "assigned"
    if kind == "handoff.ended":
        return "resolved" if payload.get("outcome") == "resolved" else "ai"
    return None


def event_time(payload: dict[str, Any]) -> datetime:
    raw = payload.get("ts")
    try:
        ts = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        ts = None
    return ts if ts is not None and ts.tzinfo is not None else utcnow()


async def record_event(session: AsyncSession, payload: dict[str, Any], seq: int, channel: Channel) -> bool:
    """Record ``payload`` (a decoded bus event) stored at stream sequence ``seq``; False if already recorded.

    The caller commits. Raises ValueError for a payload without tenant and conversation ids.
    """
    return bool(await record_events(session, [recordable(payload, seq, channel)]))


async def record_events(session: AsyncSession, events: list[Recordable]) -> int:
    """Record a batch (in stream order); returns how many events were new. The caller commits."""
    unique: dict[str, Recordable] = {}
    for e in events:
        unique.setdefault(e.event_id, e)  # the first copy of an event re-published without dedupe counts
    if not unique:
        return 0
    batch = list(unique.values())
    await _ensure_parents(session, batch)
    now = utcnow()
    inserted = set(
        await session.scalars(
            inserts_for(session).event,
            [
                {
                    "id": e.event_id,
                    "tenant_id": e.tenant_id,
                    "conversation_id": e.conversation_id,
                    "channel": str(e.channel),
                    "seq": e.seq,
                    "type": e.kind,
                    "payload": e.payload,
                    "ts": e.ts,
                    "recorded_at": now,
                }
                for e in batch
            ],
        )
    )
    new = [e for e in batch if e.event_id in inserted]
    if new:
        await _derive(session, new)
    return len(new)


async def _ensure_parents(session: AsyncSession, batch: list[Recordable]) -> None:
    tenants: dict[str, datetime] = {}
    visitors: dict[str, dict[str, Any]] = {}
    conversations: dict[str, dict[str, Any]] = {}
    for e in batch:
        tenants.setdefault(e.tenant_id, e.ts)
        if e.visitor_id:
            visitors.setdefault(
                e.visitor_id, {"id": e.visitor_id, "tenant_id": e.tenant_id, "created_at": e.ts, "last_seen_at": e.ts}
            )
        row = conversations.setdefault(
            e.conversation_id,
            {
                "id": e.conversation_id, "tenant_id": e.tenant_id, "visitor_id": None, "state": "ai", "state_seq": 0,
                "tags": [], "created_at": e.ts, "updated_at": e.ts, "last_seq": 0,
            },
        )  # fmt: skip
        if row["visitor_id"] is None:
            row["visitor_id"] = e.visitor_id
    # Rows in key order: two writers (conv and ops, or replicas) lock shared keys in the same order, no deadlock.
    await _insert_ignore(session, TenantRow, [{"id": t, "created_at": tenants[t]} for t in sorted(tenants)])
    await _insert_ignore(session, Visitor, [visitors[v] for v in sorted(visitors)])
    await _insert_ignore(session, Conversation, [conversations[c] for c in sorted(conversations)])


async def _insert_ignore(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(inserts_for(session).ignore[model], rows)


async def _execute_many(session: AsyncSession, statement: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        await (await session.connection()).execute(statement, rows)


async def _derive(session: AsyncSession, new: list[Recordable]) -> None:
    """What the newly recorded events imply: last seen, the conversation's visitor, position, state, messages."""
    seen: dict[str, datetime] = {}
    owner: dict[str, str] = {}
    position: dict[str, Recordable] = {}
    state: dict[str, tuple[int, str]] = {}
    for e in new:
        if e.visitor_id:
            seen[e.visitor_id] = max(seen.get(e.visitor_id, e.ts), e.ts)
            owner.setdefault(e.conversation_id, e.visitor_id)
        if e.channel is not Channel.CONV:
            continue
        if e.conversation_id not in position or position[e.conversation_id].seq < e.seq:
            position[e.conversation_id] = e
        new_state = handoff_state(e.kind, e.payload)
        if new_state is not None and state.get(e.conversation_id, (0, ""))[0] < e.seq:
            state[e.conversation_id] = (e.seq, new_state)

    await _execute_many(session, SEEN, [{"v_id": v, "v_ts": ts} for v, ts in sorted(seen.items())])
    await _execute_many(session, OWNER, [{"c_id": c, "c_visitor": v} for c, v in sorted(owner.items())])
    await _execute_many(
        session,
        POSITION,
        [{"c_id": c, "c_seq": position[c].seq, "c_ts": position[c].ts} for c in sorted(position)],
    )
    await _execute_many(
        session, STATE, [{"c_id": c, "c_seq": state[c][0], "c_state": state[c][1]} for c in sorted(state)]
    )
    await _materialise_messages(session, [e for e in new if e.channel is Channel.CONV and e.kind in MESSAGE_TYPES])


async def _materialise_messages(session: AsyncSession, events: list[Recordable]) -> None:
    visitor_rows: list[dict[str, Any]] = []
    replies: dict[str, dict[str, Any]] = {}  # message id -> the row of its latest event in this batch
    for e in events:
        message_id = e.payload.get("message_id")
        if not isinstance(message_id, str):
            continue
        row: dict[str, Any] = {
            "id": message_id, "tenant_id": e.tenant_id, "conversation_id": e.conversation_id,
            "text": e.payload.get("text") or "", "seq": e.seq, "created_at": e.ts,
        }  # fmt: skip
        if e.kind == "message.user":
            visitor_rows.append(
                row | {"role": "visitor", "visitor_id": e.visitor_id, "status": "completed", "sources": []}
            )
            continue
        if message_id in replies and replies[message_id]["seq"] > e.seq:
            continue
        replies[message_id] = row | await _reply_fields(session, e, message_id)
    await _insert_ignore(session, Message, sorted(visitor_rows, key=lambda row: row["id"]))
    if not replies:
        return
    await session.execute(inserts_for(session).reply, [replies[m] for m in sorted(replies)])


async def _reply_fields(session: AsyncSession, e: Recordable, message_id: str) -> dict[str, Any]:
    event = e.payload
    if e.kind == "message.completed":
        return {
            "role": event.get("role") or "assistant", "author": event.get("author"),
            "reply_to": event.get("reply_to"), "sources": event.get("sources") or [], "status": "completed",
            "visitor_id": None,
        }  # fmt: skip
    created = await _created_event(session, e.conversation_id, message_id, e.seq)
    return {
        "role": event.get("role") or created.get("role") or "assistant",
        "author": event.get("author") or created.get("author"),
        "reply_to": event.get("reply_to") or created.get("reply_to"),
        "sources": created.get("sources") or [],
        "status": "cancelled",
        "visitor_id": None,
    }


async def _created_event(session: AsyncSession, conversation_id: str, message_id: str, seq: int) -> dict[str, Any]:
    rows = await session.scalars(
        select(StoredEvent.payload)
        .where(
            StoredEvent.conversation_id == conversation_id,
            StoredEvent.type == "message.created",
            StoredEvent.seq < seq,
        )
        .order_by(StoredEvent.seq.desc())
        .limit(CREATED_LOOKBACK)
    )
    return next((p for p in rows if p.get("message_id") == message_id), {})
