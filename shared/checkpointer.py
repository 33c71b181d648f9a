"""A LangGraph checkpointer on Switchboard's own database, so any orchestrator replica can take the next turn.

``async with checkpointer(settings.database_url) as saver: graph = builder.compile(checkpointer=saver)``
SQLite URLs get an ``AsyncSqliteSaver`` on the same file; Postgres URLs an ``AsyncPostgresSaver``
on a psycopg pool (the URL's ``options``, e.g. a ``search_path``, carry over).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.engine import URL, make_url

from shared.checkpoint_sqlite import threaded_sqlite_saver
from shared.db.engine import sqlite_path
from shared.settings import normalize_database_url

POOL_MAX = 10
# Replicas starting together would race on the saver's CREATE TABLEs and migration rows.
SETUP_LOCK_KEY = 0x5B_0C4E_0001
SETUP_LOCK_POLL_S = 0.05


@asynccontextmanager
async def checkpointer(database_url: str, pool_max: int = POOL_MAX) -> AsyncIterator[BaseCheckpointSaver]:
    """A set-up checkpointer for ``database_url``, closed on exit."""
    url = make_url(normalize_database_url(database_url))
    backend = url.get_backend_name()
    if backend == "sqlite":
        async with _sqlite_saver(url) as saver:
            yield saver
    elif backend == "postgresql":
        async with _postgres_saver(url, pool_max) as saver:
            yield saver
    else:
        raise ValueError(f"Expected a sqlite or postgresql database URL, got {url.render_as_string()!r}")


@asynccontextmanager
async def _sqlite_saver(url: URL) -> AsyncIterator[BaseCheckpointSaver]:
    path = sqlite_path(url)
    if path is None:  # an in-memory database: nothing to share, the async saver will do
        async with aiosqlite.connect(":memory:") as conn:
            saver = AsyncSqliteSaver(conn)
            await saver.setup()
            yield saver
        return
    # A file: the threaded saver (one worker-thread hop per call; see shared.checkpoint_sqlite).
    with threaded_sqlite_saver(path) as threaded:
        yield threaded


def postgres_conninfo(url: URL) -> str:
    """The libpq URI psycopg wants, from a SQLAlchemy URL (any +driver dropped, query kept)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _advisory_lock(conn: AsyncConnection[Any]) -> None:
    # Polled, not a blocking pg_advisory_lock: a waiting statement holds a snapshot, and the
    # saver's CREATE INDEX CONCURRENTLY in the lock holder would wait for that snapshot forever.
    while True:
        row = await (await conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (SETUP_LOCK_KEY,))).fetchone()
        if row is not None and row["ok"]:
            return
        await asyncio.sleep(SETUP_LOCK_POLL_S)


@asynccontextmanager
async def _postgres_saver(url: URL, pool_max: int) -> AsyncIterator[AsyncPostgresSaver]:
    pool: AsyncConnectionPool[AsyncConnection[dict[str, Any]]] = AsyncConnectionPool(
        postgres_conninfo(url),
        min_size=1,
        max_size=max(2, pool_max),  # setup holds the lock on one connection while using another
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=False,
    )
    await pool.open(wait=True)
    try:
        saver = AsyncPostgresSaver(pool)
        async with pool.connection() as lock_conn:
            await _advisory_lock(lock_conn)
            try:
                await saver.setup()
            finally:
                await lock_conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))
        yield saver
    finally:
        await pool.close()
