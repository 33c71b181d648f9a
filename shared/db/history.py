"""Conversation history for its visitor: visitor-visible events in seq order, one page at a time."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.events import StoredEvent
from shared.subjects import Channel

MAX_LIMIT = 1000


async def conversation_events(
    session: AsyncSession,
    tenant_id: str,
    conversation_id: str,
    after_seq: int | None = None,
    before_seq: int | None = None,
    limit: int = 50,
) -> Sequence[StoredEvent]:
    """Up to ``limit`` SB_CONV events of the conversation, oldest first; internal (ops) events never.

    With ``after_seq`` the page starts just after it (forward paging, catching up); without
    it the page is the newest events before ``before_seq`` (or the newest of all): what a
    widget shows first and then pages back from.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"Expected 1 <= limit <= {MAX_LIMIT}, got {limit}")
    query = select(StoredEvent).where(
        StoredEvent.tenant_id == tenant_id,
        StoredEvent.conversation_id == conversation_id,
        StoredEvent.channel == str(Channel.CONV),
    )
    if before_seq is not None:
        query = query.where(StoredEvent.seq < before_seq)
    if after_seq is not None:
        rows = await session.scalars(query.where(StoredEvent.seq > after_seq).order_by(StoredEvent.seq).limit(limit))
        return rows.all()
    newest = await session.scalars(query.order_by(StoredEvent.seq.desc()).limit(limit))
    return list(reversed(newest.all()))
