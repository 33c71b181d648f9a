"""Engines and sessions from a database URL: SQLite (aiosqlite) embedded, Postgres (asyncpg) in production."""

from __future__ import annotations

import shlex
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from shared.settings import normalize_database_url

# WAL lets the recorder write while gateways and workers read; the busy timeout makes
# concurrent writers from several processes wait instead of failing.
SQLITE_PRAGMAS = ("journal_mode=WAL", "busy_timeout=30000", "synchronous=NORMAL", "foreign_keys=ON")


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> Path | None:
    """The file of a file-backed SQLite URL (None for in-memory)."""
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def server_settings(url: URL) -> tuple[URL, dict[str, str]]:
    """Turn a libpq ``options=-c key=value`` query (which psycopg reads natively) into asyncpg server settings.

    One URL then serves both drivers, e.g. ``...?options=-csearch_path%3Dtenant_a`` for a schema.
    """
    options = url.query.get("options")
    if not options:
        return url, {}
    settings: dict[str, str] = {}
    words = shlex.split(options if isinstance(options, str) else " ".join(options))
    for i, word in enumerate(words):
        setting = word[2:] if word.startswith("-c") and len(word) > 2 else None
        if word == "-c" and i + 1 < len(words):
            setting = words[i + 1]
        if setting and "=" in setting:
            key, _, value = setting.partition("=")
            settings[key.replace("-", "_")] = value
    return url.difference_update_query(["options"]), settings


def make_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    url = make_url(normalize_database_url(database_url))
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    url, settings = server_settings(url)
    if settings:
        kwargs.setdefault("connect_args", {})["server_settings"] = settings
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: handlers read rows after committing without another round trip.
    return async_sessionmaker(engine, expire_on_commit=False)


@cache
def get_engine(database_url: str) -> AsyncEngine:
    """One engine per URL per process (engines own connection pools)."""
    return make_engine(database_url)
