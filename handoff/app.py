"""The handoff service app: one lifespan owns NATS, the KV view, bus handlers and the sweeper."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TypedDict

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from admin import agent_routes as admin_agent_routes
from admin import knowledge_routes as admin_knowledge_routes
from admin import routes as admin_routes
from admin.config import admin_keys
from admin.context import Admin
from admin.service import admin_running
from handoff import errors
from handoff.agent_sync import AgentSync
from handoff.agents import load_agents, refuse_demo_agents
from handoff.config import HandoffSettings
from handoff.context import Handoff
from handoff.fanout import Fanout
from handoff.handlers import DURABLES, register_handlers
from handoff.presence import sweep
from handoff.routes import admin_page, agents, console, conversations, socket
from handoff.routes.console import STATIC_DIR
from handoff.store import HandoffStore
from handoff.transitions import mode_of, publish_pending
from shared import metrics
from shared.aio import stop_tasks
from shared.bus import ensure_streams, make_broker
from shared.redelivery import DeadLetterUndecodable, unlimit_deliveries
from shared.settings import Settings, api_docs_urls, get_settings
from shared.tenant_sync import TenantSync
from shared.tenants import load_tenants

log = logging.getLogger(__name__)


OUTBOX_STALE_S = 5.0  # an outbox this old was left by a replica that died (publishing takes ms)


class State(TypedDict):
    handoff: Handoff
    fanout: Fanout
    admin: Admin


async def _sweep_forever(h: Handoff, stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        await asyncio.sleep(h.config.sweep_interval_s)
        try:
            await sweep(h)
            await publish_pending(h, older_than_s=OUTBOX_STALE_S)
        except Exception:
            log.exception("presence sweep failed")


def create_app(settings: Settings | None = None, config: HandoffSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    config = config or HandoffSettings()
    if settings.environment == "production":
        refuse_demo_agents(config.agents_file, explicitly_set="agents_file" in config.model_fields_set)
    keys = admin_keys(settings)  # a bad ADMIN_API_KEYS stops the service here, not at the first request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        store: HandoffStore | None = None

        async def reconnected() -> None:
            # The KV watch feeding every replica's view lives in an ephemeral consumer a NATS
            # restart loses; start a new one (older revisions are ignored when re-applied).
            if store is not None:
                fanout.spawn(store.rewatch())
            # (the tenant and agent watches are restarted by shared.bus: shared.config_bucket.rewatch_all)

        stack = AsyncExitStack()
        broker = make_broker(settings, reconnected_cb=reconnected, middlewares=(DeadLetterUndecodable,))
        nc = await broker.connect()
        js = nc.jetstream()
        await ensure_streams(js)
        store = await HandoffStore.open(js)
        metrics.count_handoff_states(store)
        tenants, accounts = load_tenants(settings.tenants_file), load_agents(config.agents_file)
        admin = await stack.enter_async_context(admin_running(settings, js, tenants, accounts, keys))
        sync = await TenantSync.follow(js, tenants)  # admin changes reach this replica's directory
        agent_sync = await AgentSync.follow(js, accounts)
        app.state.tenant_sync, app.state.agent_sync = sync, agent_sync
        h = Handoff(settings, config, broker, store, tenants, accounts)
        fanout = Fanout(nc, lambda tenant, conversation: store.conversations.get((tenant, conversation)))
        store.listeners.append(fanout.on_store_change)
        await store.start()
        await publish_pending(h)  # events of transitions a dead replica stored but did not publish
        await store.repair_modes(lambda record: mode_of(h, record))
        http = httpx.AsyncClient(timeout=config.webhook_timeout_s)
        register_handlers(broker, h, http)
        for stream, durable in DURABLES:
            await unlimit_deliveries(js, stream, durable)
        await broker.start()
        stopping = asyncio.Event()
        sweeper = asyncio.create_task(_sweep_forever(h, stopping), name="handoff-sweeper")
        try:
            yield {"handoff": h, "fanout": fanout, "admin": admin}
        finally:
            stopping.set()
            await stop_tasks(sweeper)
            await fanout.close()
            await sync.stop()
            await agent_sync.stop()
            await store.stop()
            await broker.stop()
            await http.aclose()
            await stack.aclose()

    app = FastAPI(
        title="Switchboard handoff API",
        version="1",
        description="Agents take conversations over from the AI: queue, claim, reply, hand back, resolve. "
        "Bearer-token auth; an agent only ever sees their own tenant (another tenant's conversation is a 404).",
        lifespan=lifespan,
        **api_docs_urls(settings),
        # The same body limit as the gateway: a Content-Length over it is refused before reading.
        max_body_size=settings.max_body_bytes,
    )
    errors.install(app)
    app.include_router(conversations.router)
    app.include_router(agents.router)
    app.include_router(socket.router)
    app.include_router(console.router)
    app.include_router(admin_page.router_for(settings))
    app.include_router(admin_routes.router)
    app.include_router(admin_agent_routes.router)
    app.include_router(admin_knowledge_routes.router)
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    metrics.mount(app)
    return app
