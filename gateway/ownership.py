"""Whose conversation it is, from the recorder's database: a second check behind the token's signature."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError

from shared.db import Conversation
from shared.db.engine import get_engine, make_sessionmaker

log = logging.getLogger(__name__)

OWNER_CHECK_TIMEOUT_S = 2.0


class NotYours(Exception):
    """The recorded conversation belongs to another tenant or visitor."""


def check_owner(row: Conversation | None, tenant_id: str, visitor_id: str) -> None:
    """Raise NotYours unless the recorded owner (if the conversation is recorded yet) is this visitor."""
    if row is None:
        return  # not recorded yet: the signed token is the only proof there is
    if row.tenant_id != tenant_id or (row.visitor_id and row.visitor_id != visitor_id):
        raise NotYours(f"Expected a conversation of visitor {visitor_id!r}, got another's")


async def check_recorded_owner(database_url: str, tenant_id: str, conversation_id: str, visitor_id: str) -> None:
    """check_owner against the database. An unreachable database does not refuse the visitor:
    the token's signature already binds them to the conversation, and chat must outlive the database."""
    try:
        async with asyncio.timeout(OWNER_CHECK_TIMEOUT_S), make_sessionmaker(get_engine(database_url))() as session:
            row = await session.get(Conversation, conversation_id)
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        log.warning("could not check the owner of %s: %s", conversation_id, type(exc).__name__)
        return
    check_owner(row, tenant_id, visitor_id)
