"""What the recorder's database knows: a visitor's conversations, their owner, and history older than the stream.

SB_CONV keeps a conversation for its retention (7 days); the recorder keeps it for good. These
reads are the fallback when the stream has nothing, and the only source for listing threads.
A database that cannot be reached reads as empty (logged): the stream still serves.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from chatkit.types import ThreadMetadata
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from shared.db import Conversation, make_sessionmaker
from shared.db.engine import get_engine
from shared.db.history import MAX_LIMIT, conversation_events
from shared.events import Event, parse_event
from shared.settings import Settings

log = logging.getLogger(__name__)


def _sessions(settings: Settings):
    return make_sessionmaker(get_engine(settings.database_url))


async def threads_of(settings: Settings, tenant_id: str, visitor_id: str, limit: int = 200) -> list[ThreadMetadata]:
    """The visitor's recorded conversations, newest first."""
    query = (
        select(Conversation)
        .where(Conversation.tenant_id == tenant_id, Conversation.visitor_id == visitor_id)
        .order_by(Conversation.created_at.desc())
        .limit(limit)
    )
    try:
        async with _sessions(settings)() as session:
            rows = (await session.scalars(query)).all()
    except SQLAlchemyError as exc:
        log.warning("listing recorded conversations failed: %r", exc)
        return []
    return [ThreadMetadata(id=r.id, title=r.title, created_at=r.created_at) for r in rows]


async def owner_of(settings: Settings, tenant_id: str, conversation_id: str) -> str | None:
    """The visitor the recorder saw in the conversation, if it recorded it for this tenant."""
    try:
        async with _sessions(settings)() as session:
            row = await session.get(Conversation, conversation_id)
    except SQLAlchemyError as exc:
        log.warning("reading a recorded conversation failed: %r", exc)
        return None
    return row.visitor_id if row is not None and row.tenant_id == tenant_id else None


async def events_of(settings: Settings, tenant_id: str, conversation_id: str) -> AsyncIterator[Event]:
    """The recorded visitor-visible events of a conversation, oldest first."""
    after = 0
    while True:
        try:
            async with _sessions(settings)() as session:
                page = list(await conversation_events(session, tenant_id, conversation_id, after, None, MAX_LIMIT))
        except SQLAlchemyError as exc:
            log.warning("reading recorded history failed: %r", exc)
            return
        for row in page:
            try:
                yield parse_event(row.payload)
            except ValueError:
                continue
        if len(page) < MAX_LIMIT:
            return
        after = page[-1].seq
