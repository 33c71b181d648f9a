"""Migrations: `upgrade head` builds every table on both backends, twice is a no-op, concurrent runs agree."""

from __future__ import annotations

import asyncio

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import Base
from shared.db.engine import make_engine
from shared.db.migrate import upgrade_head


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_head_creates_every_model_table(database_url: str) -> None:
    await upgrade_head(database_url)
    engine = make_engine(database_url)
    try:
        assert set(Base.metadata.tables) | {"alembic_version"} <= await table_names(engine)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one() == "0001"
    finally:
        await engine.dispose()


async def test_upgrade_head_is_idempotent_and_safe_concurrently(database_url: str) -> None:
    await asyncio.gather(upgrade_head(database_url), upgrade_head(database_url))
    await upgrade_head(database_url)
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
        assert versions == ["0001"]
    finally:
        await engine.dispose()


async def test_models_match_migrations(db_engine: AsyncEngine) -> None:
    """Autogenerate finds nothing to do: the models and the migration files describe the same schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from shared.db.base import include_object

    def diff(sync_conn):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(sync_conn, opts={"include_object": include_object})
        return compare_metadata(context, Base.metadata)

    async with db_engine.connect() as conn:
        assert await conn.run_sync(diff) == []
