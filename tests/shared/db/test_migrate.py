"""Migrations: `upgrade head` builds every table on both backends, twice is a no-op, concurrent runs agree."""

from __future__ import annotations

import asyncio

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import Base
from shared.db.engine import make_engine
from shared.db.migrate import alembic_config, upgrade, upgrade_head


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_head_creates_every_model_table(database_url: str) -> None:
    await upgrade_head(database_url)
    engine = make_engine(database_url)
    try:
        assert set(Base.metadata.tables) | {"alembic_version"} <= await table_names(engine)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one() == head_revision()
    finally:
        await engine.dispose()


async def test_upgrade_head_is_idempotent_and_safe_concurrently(database_url: str) -> None:
    await asyncio.gather(upgrade_head(database_url), upgrade_head(database_url))
    await upgrade_head(database_url)
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
        assert versions == [head_revision()]
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


async def test_0002_keeps_existing_conversations(database_url: str) -> None:
    """Data written under 0001 survives the upgrade and gets the new column's default."""
    await upgrade(database_url, "0001")
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO tenants (id, created_at) VALUES ('acme', CURRENT_TIMESTAMP)"))
            await conn.execute(
                text(
                    "INSERT INTO conversations (id, tenant_id, state, state_seq, tags, created_at, updated_at,"
                    " last_seq)"
                    " VALUES ('c1', 'acme', 'ai', 0, '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 7)"
                )
            )
        await upgrade_head(database_url)
        async with engine.connect() as conn:
            row = (await conn.execute(text("SELECT last_seq, summary_seq FROM conversations WHERE id = 'c1'"))).one()
        assert tuple(row) == (7, 0)
    finally:
        await engine.dispose()


async def test_0003_keeps_turn_webhook_deliveries_and_types_them(database_url: str) -> None:
    """Attempts written under 0002 survive as turn.completed; the same event id may recur for another type."""
    await upgrade(database_url, "0002")
    engine = make_engine(database_url)
    insert = (
        "INSERT INTO webhook_deliveries (tenant_id, conversation_id, event_id, url, attempt, ok, duration_ms,"
        " created_at{type_column}) VALUES ('acme', 'c1', 'e1', 'http://127.0.0.1/h', 1, false, 5,"
        " CURRENT_TIMESTAMP{type_value})"
    )
    try:
        async with engine.begin() as conn:
            await conn.execute(text(insert.format(type_column="", type_value="")))
        await upgrade_head(database_url)
        async with engine.begin() as conn:
            typed = ", 'handoff.state_changed'"
            await conn.execute(text(insert.format(type_column=", webhook_type", type_value=typed)))
            rows = (await conn.execute(text("SELECT webhook_type FROM webhook_deliveries ORDER BY id"))).all()
        assert [r[0] for r in rows] == ["turn.completed", "handoff.state_changed"]
    finally:
        await engine.dispose()
