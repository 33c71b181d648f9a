"""Run ``alembic upgrade head`` from code: the prestart step and the embedded recorder call it."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import AsyncIterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection

from shared.db.engine import is_sqlite, make_engine, sqlite_path
from shared.settings import REPO_ROOT, normalize_database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same in every process that migrates.
PG_LOCK_KEY = 0x5B_0DB_0001


def alembic_config(database_url: str) -> Config:
    ini = REPO_ROOT / "alembic.ini"
    config = Config(str(ini)) if ini.exists() else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not a main option: configparser would choke on '%' in URLs.
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


async def upgrade_head(database_url: str) -> None:
    """Bring the schema to the newest revision; safe when several processes start at once."""
    await upgrade(database_url, "head")


async def upgrade(database_url: str, revision: str) -> None:
    """``alembic upgrade <revision>`` under a lock that serialises concurrent migrators."""
    url = normalize_database_url(database_url)
    config = alembic_config(url)
    engine = make_engine(url, poolclass=pool.NullPool)
    try:
        async with _migration_lock(url), engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Held until commit: a second migrator waits, then finds the schema at head.
                await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
            await connection.run_sync(_upgrade, config, revision)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


@contextlib.asynccontextmanager
async def _migration_lock(url: str) -> AsyncIterator[None]:
    """SQLite has no advisory locks; processes on one host serialise on a lock file beside the database."""
    path = sqlite_path(url) if is_sqlite(url) else None
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".migrate.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
