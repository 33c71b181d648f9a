"""Write one durable event and what it implies (visitor, conversation, message, state) in one transaction.

Redelivery and replica races are harmless: the event row (unique id) is the gate, so an event
already recorded changes nothing, and every derived write is ordered by ``seq`` so an older
event processed late cannot undo a newer one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Conversation, Message, StoredEvent, TenantRow, Visitor
from shared.db.base import utcnow
from shared.db.upsert import insert_for, insert_ignore
from shared.subjects import Channel

MESSAGE_TYPES = frozenset({"message.user", "message.completed", "message.cancelled"})
# How far back a message.cancelled looks for its message.created (role, author, reply_to).
CREATED_LOOKBACK = 50


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
    tenant_id, conversation_id = payload.get("tenant_id"), payload.get("conversation_id")
    kind = payload.get("type")
    if not isinstance(tenant_id, str) or not isinstance(conversation_id, str) or not isinstance(kind, str):
        raise ValueError(f"Expected an event with type, tenant_id and conversation_id, got keys {sorted(payload)}")
    event_id = str(payload.get("id") or f"{channel}-{seq}")
    ts = event_time(payload)
    visitor_id = payload.get("visitor_id") if isinstance(payload.get("visitor_id"), str) else None

    await insert_ignore(session, TenantRow, id=tenant_id, created_at=ts)
    if visitor_id:
        await insert_ignore(session, Visitor, id=visitor_id, tenant_id=tenant_id, created_at=ts, last_seen_at=ts)
    await insert_ignore(
        session, Conversation, id=conversation_id, tenant_id=tenant_id, visitor_id=visitor_id,
        state="ai", state_seq=0, tags=[], created_at=ts, updated_at=ts, last_seq=0,
    )  # fmt: skip
    stored = {**payload, "seq": seq}
    inserted = await insert_ignore(
        session, StoredEvent, id=event_id, tenant_id=tenant_id, conversation_id=conversation_id,
        channel=str(channel), seq=seq, type=kind, payload=stored, ts=ts, recorded_at=utcnow(),
    )  # fmt: skip
    if not inserted:
        return False

    if visitor_id:
        await session.execute(
            update(Visitor).where(Visitor.id == visitor_id, Visitor.last_seen_at < ts).values(last_seen_at=ts)
        )
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.visitor_id.is_(None))
            .values(visitor_id=visitor_id)
        )
    if channel is Channel.CONV:
        await _advance_conversation(session, conversation_id, seq, ts)
        if kind in MESSAGE_TYPES:
            await _materialise_message(session, stored, kind, seq, ts)
        state = handoff_state(kind, payload)
        if state is not None:
            await session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.state_seq < seq)
                .values(state=state, state_seq=seq)
            )
    return True


async def _advance_conversation(session: AsyncSession, conversation_id: str, seq: int, ts: datetime) -> None:
    newer = Conversation.last_seq < seq
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(
            last_seq=case((newer, seq), else_=Conversation.last_seq),
            updated_at=case((newer, ts), else_=Conversation.updated_at),
        )
    )


async def _materialise_message(session: AsyncSession, event: dict[str, Any], kind: str, seq: int, ts: datetime) -> None:
    message_id = event.get("message_id")
    if not isinstance(message_id, str):
        return
    row: dict[str, Any] = {
        "id": message_id,
        "tenant_id": event["tenant_id"],
        "conversation_id": event["conversation_id"],
        "text": event.get("text") or "",
        "seq": seq,
        "created_at": ts,
    }
    if kind == "message.user":
        row |= {"role": "visitor", "visitor_id": event.get("visitor_id"), "status": "completed", "sources": []}
        await insert_ignore(session, Message, **row)
        return
    if kind == "message.completed":
        row |= {
            "role": event.get("role") or "assistant",
            "author": event.get("author"),
            "reply_to": event.get("reply_to"),
            "sources": event.get("sources") or [],
            "status": "completed",
        }
    else:
        created = await _created_event(session, event["conversation_id"], message_id, seq)
        row |= {
            "role": event.get("role") or created.get("role") or "assistant",
            "author": event.get("author") or created.get("author"),
            "reply_to": event.get("reply_to") or created.get("reply_to"),
            "sources": created.get("sources") or [],
            "status": "cancelled",
        }
    stmt = insert_for(session, Message).values(**row)
    changed = {k: stmt.excluded[k] for k in ("role", "text", "author", "status", "reply_to", "sources", "seq")}
    # Completed and cancelled may both arrive for one reply; the later one in the stream wins.
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[Message.id], set_=changed, where=Message.seq < stmt.excluded.seq)
    )


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
