"""Database fixtures parametrised over both backends (SQLite file, the local Postgres), LangGraph-conformance style.

Import them into a conftest.py: ``from tests.shared.db.backends import *  # noqa: F403``.
Each Postgres test gets its own schema (via the URL's libpq ``options``), dropped afterwards,
so concurrent runs on one server never see each other's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.db.engine import make_engine, make_sessionmaker
from shared.db.migrate import upgrade_head

__all__ = ("backend", "database_url", "db_engine", "db_sessions", "migrated_url")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def with_schema(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture
async def database_url(backend: str, tmp_path: Path, postgres_url: str) -> AsyncIterator[str]:
    """An empty database of the requested backend."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/switchboard.db"
        return
    schema = f"sbtest_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url, poolclass=pool.NullPool)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OSError as exc:  # connection refused: no local server
        await admin.dispose()
        pytest.skip(f"Postgres at {postgres_url} is not reachable: {exc}")
    try:
        yield with_schema(postgres_url, schema)
    finally:
        async with admin.begin() as conn:
            # A test that failed with connections still open must not hang the run here.
            await conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
async def migrated_url(database_url: str) -> str:
    await upgrade_head(database_url)
    return database_url


@pytest.fixture
async def db_engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(migrated_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def db_sessions(db_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(db_engine)
