"""The tenants file as a seed: added when missing, followed while file-owned, ignored once admin-owned."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin.seed import seed_from_file
from shared.db.tenants import TenantRow
from shared.tenants import Tenant, TenantDirectory


def directory(*tenants: dict[str, object]) -> TenantDirectory:
    return TenantDirectory(tenants=[Tenant.model_validate(t) for t in tenants])


ACME = {"id": "acme", "name": "Acme", "widget_key": "pk_acme"}
BETA = {"id": "beta", "name": "Beta", "widget_key": "pk_beta"}


async def test_replicas_seeding_at_once_agree(db_sessions: async_sessionmaker[AsyncSession]) -> None:
    seed = directory(ACME, BETA)
    await asyncio.gather(*(seed_from_file(db_sessions, seed) for _ in range(3)))
    async with db_sessions() as session:
        rows = {t: await session.get(TenantRow, t) for t in ("acme", "beta")}
    assert {t: (r.name, r.source) for t, r in rows.items() if r} == {"acme": ("Acme", "file"), "beta": ("Beta", "file")}


async def test_file_tenants_follow_the_file_until_changed_through_the_api(
    db_sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert await seed_from_file(db_sessions, directory(ACME, BETA)) == 2
    assert await seed_from_file(db_sessions, directory(ACME, BETA)) == 0  # nothing new: nothing written
    async with db_sessions() as session, session.begin():
        beta = await session.get(TenantRow, "beta")
        assert beta is not None
        assert beta.config is not None
        beta.config = {**beta.config, "name": "Beta by admin"}
        beta.source = "admin"

    edited = directory({**ACME, "name": "Acme renamed"}, {**BETA, "name": "Beta renamed"})
    assert await seed_from_file(db_sessions, edited) == 1
    async with db_sessions() as session:
        acme, beta = await session.get(TenantRow, "acme"), await session.get(TenantRow, "beta")
    names = {row.id: (row.config or {}).get("name") for row in (acme, beta) if row is not None}
    assert names == {"acme": "Acme renamed", "beta": "Beta by admin"}
