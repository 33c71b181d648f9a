"""Admin fixtures: a handoff service (which hosts the admin API) and gateways, on the real NATS and a real database."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.app import create_app as create_gateway
from handoff.app import create_app as create_handoff
from handoff.config import HandoffSettings
from shared.settings import Settings
from shared.tenant_sync import TenantSync
from tests.gateway.conftest import TENANTS_YAML, GatewayClient, serving
from tests.handoff.conftest import Service, serve, write_tenants
from tests.shared.db.backends import *  # noqa: F403

ADMIN_KEY = "admin-test-key-0123456789abcdef"
KEY_ID = "tester"


def admin_auth(key: str = ADMIN_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def new_tenant_id() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
def _admin_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_API_KEYS", f"{KEY_ID}:{ADMIN_KEY}")


@pytest.fixture
def admin_settings(connected_settings: Settings, migrated_url: str, tmp_path: Path) -> Settings:
    """The handoff service's settings: its tenants file (the seed) and a migrated database of the backend."""
    tenants = write_tenants(tmp_path, {})
    return connected_settings.model_copy(update={"tenants_file": tenants.tenants_file, "database_url": migrated_url})


@pytest.fixture
def handoff_config(admin_settings: Settings, tmp_path: Path) -> HandoffSettings:
    return HandoffSettings(agents_file=tmp_path / "agents.yaml")


@pytest.fixture
def handoff_app(admin_settings: Settings, handoff_config: HandoffSettings) -> FastAPI:
    return create_handoff(admin_settings, handoff_config)


@pytest.fixture
async def handoff(handoff_app: FastAPI) -> AsyncIterator[Service]:
    running = await serve(handoff_app)
    yield running
    await running.stop()


@pytest.fixture
async def admin(handoff: Service) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=handoff.url + "/admin/v1", headers=admin_auth(), timeout=10) as client:
        yield client


class RunningGateway(GatewayClient):
    def __init__(self, base_url: str, http: httpx.AsyncClient, sync: TenantSync) -> None:
        super().__init__(base_url, http)
        self.sync = sync

    async def open_session(self, widget_key: str) -> httpx.Response:
        return await self.http.post("/v1/session", json={"widget_key": widget_key})


@contextlib.asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[RunningGateway]:
    app = create_gateway(settings)
    async with serving(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        yield RunningGateway(base_url, http, app.state.tenant_sync)


@pytest.fixture
def gateway_settings(connected_settings: Settings, tmp_path: Path) -> Settings:
    tenants = tmp_path / "gateway-tenants.yaml"
    tenants.write_text(TENANTS_YAML)
    return connected_settings.model_copy(update={"tenants_file": tenants})


@pytest.fixture
async def gateway(gateway_settings: Settings) -> AsyncIterator[RunningGateway]:
    async with running_gateway(gateway_settings) as client:
        yield client


def tenant_body(tenant_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": tenant_id,
        "name": "Fresh Co",
        "assistant_name": "Fred",
        "widget": {"theme": {"accent": "#112233"}, "strings": {"title": "Fresh help"}},
        **extra,
    }
