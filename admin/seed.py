"""The tenants and agents files as seeds: entries the database lacks are added; the ones never changed
through the admin API follow the file; every admin-owned one is (re)published to the bus at start."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from admin.changes import config_of
from handoff.agent_sync import publish_agent
from handoff.agents import AgentAccount, AgentDirectory
from shared.db.agents import AgentRow
from shared.db.base import utcnow
from shared.db.tenants import TenantRow
from shared.tenant_sync import publish_tenant
from shared.tenants import Tenant, TenantDirectory

if TYPE_CHECKING:
    from nats.js.kv import KeyValue

log = logging.getLogger(__name__)


async def seed_from_file(sessions: async_sessionmaker[AsyncSession], directory: TenantDirectory) -> int:
    """Store the file's tenants the database does not own; how many rows were added or refreshed.

    Replicas starting together (or the recorder meeting a tenant meanwhile) may write the same rows:
    the loser of that race tries again, and then finds them written.
    """
    for attempt in range(3):
        try:
            return await _seed(sessions, directory)
        except (IntegrityError, StaleDataError):
            if attempt == 2:
                raise
            log.info("tenants file: another process seeded at the same time; trying again")
    raise AssertionError("unreachable")


async def _seed(sessions: async_sessionmaker[AsyncSession], directory: TenantDirectory) -> int:
    changed = 0
    async with sessions() as session, session.begin():
        rows = {r.id: r for r in await session.scalars(select(TenantRow))}
        for tenant in directory.tenants:
            row = rows.get(tenant.id)
            if row is not None and row.source == "admin" and row.config is not None:
                continue  # changed through the admin API: the database owns it now
            config = config_of(tenant)
            if row is not None and row.config == config:
                continue
            if row is None:
                row = TenantRow(id=tenant.id)
                session.add(row)
            row.config, row.name, row.disabled, row.source, row.updated_at = (
                config,
                tenant.name,
                tenant.disabled,
                "file",
                utcnow(),
            )
            changed += 1
    if changed:
        log.info("tenants file: %d tenant(s) seeded into the database", changed)
    return changed


async def publish_owned(sessions: async_sessionmaker[AsyncSession], kv: KeyValue) -> int:
    """Put every admin-owned tenant the bucket lacks or has older in it (repairs a publish lost after a commit)."""
    async with sessions() as session:
        rows = list(await session.scalars(select(TenantRow).where(TenantRow.source == "admin")))
    published = 0
    for row in rows:
        if row.config is None:
            continue
        try:
            tenant = Tenant.model_validate(row.config)
        except ValueError as exc:
            log.warning("tenant %s in the database does not validate, not published: %s", row.id, exc)
            continue
        published += await publish_tenant(kv, tenant, row.version)
    return published


async def seed_agents(sessions: async_sessionmaker[AsyncSession], directory: AgentDirectory) -> int:
    """The agents file as a seed, like the tenants file: added when missing, followed until changed by the API."""
    for attempt in range(3):
        try:
            return await _seed_agents(sessions, directory)
        except (IntegrityError, StaleDataError):
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _seed_agents(sessions: async_sessionmaker[AsyncSession], directory: AgentDirectory) -> int:
    changed = 0
    async with sessions() as session, session.begin():
        rows = {(r.tenant_id, r.id): r for r in await session.scalars(select(AgentRow))}
        for agent in directory.agents:
            row = rows.get((agent.tenant_id, agent.id))
            config = agent.model_dump(mode="json")
            if row is not None and (row.source == "admin" or row.config == config):
                continue
            if row is None:
                row = AgentRow(tenant_id=agent.tenant_id, id=agent.id)
                session.add(row)
            row.config, row.disabled, row.source, row.updated_at = config, agent.disabled, "file", utcnow()
            changed += 1
    return changed


async def publish_owned_agents(sessions: async_sessionmaker[AsyncSession], kv: KeyValue) -> int:
    async with sessions() as session:
        rows = list(await session.scalars(select(AgentRow).where(AgentRow.source == "admin")))
    published = 0
    for row in rows:
        try:
            agent = AgentAccount.model_validate(row.config)
        except ValueError as exc:
            log.warning("agent %s/%s in the database does not validate, not published: %s", row.tenant_id, row.id, exc)
            continue
        published += await publish_agent(kv, agent, row.version)
    return published
