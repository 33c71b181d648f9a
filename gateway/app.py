"""The gateway's FastAPI app: one lifespan owns the broker and the tenant directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypedDict

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware

from gateway import history_routes, http, pages, push_routes, socket
from gateway.agui import routes as agui_routes
from gateway.chatkit import routes as chatkit_routes
from gateway.context import Gateway
from gateway.delivery import OpenDeliveries
from gateway.limits import SharedLimits
from gateway.sessions import PublicTenant
from shared import metrics
from shared.bus import ensure_streams, make_broker
from shared.settings import Settings, api_docs_urls
from shared.tenant_sync import Listener, TenantSync
from shared.tenants import Tenant, load_tenants
from shared.widget_protocol import Config


class State(TypedDict):
    gateway: Gateway


def restyle_open_widgets(deliveries: OpenDeliveries) -> Listener:
    """A tenant listener pushing a ``config`` frame to the tenant's open widgets when its branding changed."""

    def changed(before: Tenant | None, after: Tenant | None) -> None:
        if before is None or after is None or PublicTenant.of(before) == PublicTenant.of(after):
            return
        deliveries.send_to_tenant(after.id, Config(tenant=PublicTenant.of(after).model_dump()).model_dump_json())

    return changed


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        tenants = load_tenants(settings.tenants_file)
        deliveries = OpenDeliveries()
        sync: TenantSync | None = None
        # After a NATS restart shared.bus also restarts the tenant watch (shared.config_bucket).
        broker = make_broker(settings, reconnected_cb=deliveries.recover_all)
        await broker.connect()
        try:
            js = broker.config.connection_state.stream
            await ensure_streams(js)
            sync = app.state.tenant_sync = await TenantSync.follow(js, tenants)
            sync.listeners.append(restyle_open_widgets(deliveries))
            limits = await SharedLimits.open(broker.config.connection_state.connection)
            yield {
                "gateway": Gateway(
                    settings=settings, broker=broker, tenants=tenants, limits=limits, deliveries=deliveries
                )
            }
        finally:
            if sync is not None:
                await sync.stop()
            await broker.stop()

    app = FastAPI(
        title="Switchboard gateway",
        description="Widget sessions and the widget WebSocket (protocol: docs/protocol.md).",
        version="1",
        lifespan=lifespan,
        **api_docs_urls(settings),
        # Starlette's pure ASGI limit on every HTTP route: a Content-Length over it is refused
        # before reading, a streamed body once the bytes read pass it (413, nothing buffered).
        max_body_size=settings.max_body_bytes,
    )
    # The widget runs on tenants' sites; each tenant's allowed origins are checked per request.
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"])
    app.add_exception_handler(RequestValidationError, http.invalid_request)
    app.include_router(http.router)
    app.include_router(socket.router)
    # The visitor's history pages, read from the recorder's database (opened on first use).
    app.include_router(history_routes.router)
    app.include_router(push_routes.router)
    # Other front ends on the same bus: ChatKit and AG-UI clients (docs/frontends.md).
    app.include_router(chatkit_routes.router)
    app.include_router(agui_routes.router)
    pages.mount(app, demo_pages=bool(settings.demo_pages))
    metrics.mount(app)
    return app
