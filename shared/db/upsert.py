"""Dialect-aware INSERT for the two backends we run on; both speak ``ON CONFLICT``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, model: Any) -> Any:
    """``INSERT`` with ``on_conflict_do_nothing`` / ``on_conflict_do_update`` for the session's dialect."""
    return insert_on(session.get_bind().dialect.name, model)


def insert_on(dialect: str, model: Any) -> Any:
    """``INSERT`` for the dialect named ``dialect`` ("postgresql" or "sqlite")."""
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"Expected a postgresql or sqlite database, got {dialect!r}")


async def insert_ignore(session: AsyncSession, model: Any, **values: Any) -> bool:
    """Insert one row unless a unique key already holds it; True if this call inserted it."""
    result = await session.execute(insert_for(session, model).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]  # a CursorResult for INSERT
