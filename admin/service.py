"""Starting the admin API inside a service's lifespan: database (migrated on SQLite), seed, bucket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from nats.js import JetStreamContext

from admin.config import AdminSettings
from admin.context import Admin
from admin.knowledge import resume_indexing
from admin.seed import publish_owned, publish_owned_agents, seed_agents, seed_from_file
from handoff.agent_sync import open_agents_bucket
from handoff.agents import AgentDirectory
from shared.aio import stop_tasks
from shared.db.engine import is_sqlite, make_engine, make_sessionmaker
from shared.db.migrate import upgrade_head
from shared.knowledge.uploads import open_knowledge_bucket
from shared.settings import Settings
from shared.tenant_sync import open_tenants_bucket
from shared.tenants import TenantDirectory


@asynccontextmanager
async def admin_running(
    settings: Settings, js: JetStreamContext, seed: TenantDirectory, agents: AgentDirectory, keys: dict[str, str]
) -> AsyncIterator[Admin]:
    """The admin API's context; the files' tenants and agents seeded, admin-owned ones (re)published."""
    # Embedded mode may start this service before the recorder migrated: the lock makes this safe.
    if is_sqlite(settings.database_url):
        await upgrade_head(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        sessions = make_sessionmaker(engine)
        await seed_from_file(sessions, seed)
        await seed_agents(sessions, agents)
        kv, agents_kv = await open_tenants_bucket(js), await open_agents_bucket(js)
        await publish_owned(sessions, kv)
        await publish_owned_agents(sessions, agents_kv)
        admin = Admin(
            sessions=sessions,
            kv=kv,
            agents_kv=agents_kv,
            keys=keys,
            refuse_demo_secrets=settings.environment == "production",
            knowledge_kv=await open_knowledge_bucket(js),
            knowledge_max_bytes=AdminSettings().knowledge_max_bytes,
        )
        await resume_indexing(admin)
        try:
            yield admin
        finally:
            await stop_tasks(*admin.tasks)
    finally:
        await engine.dispose()
