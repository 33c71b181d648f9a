"""Gateway fixtures: the real app under uvicorn on a free port, against the test nats-server."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from faststream.nats import NatsBroker
from websockets.asyncio.client import ClientConnection, connect

from gateway.app import create_app
from services.nats_embedded import free_port
from shared.bus import ensure_streams, make_broker
from shared.settings import Settings

WIDGET_KEY = "pk_demo_acme"
TIMEOUT = 5.0


class GatewayClient:
    """HTTP and WebSocket access to one running gateway."""

    def __init__(self, base_url: str, http: httpx.AsyncClient) -> None:
        self.base_url = base_url
        self.http = http

    async def session(self, **body: Any) -> dict[str, Any]:
        response = await self.http.post("/v1/session", json={"widget_key": WIDGET_KEY, **body})
        assert response.status_code == 200, response.text
        return response.json()

    def ws_url(self, token: str, **params: Any) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"token": token, **params}.items())
        return f"{self.base_url.replace('http', 'ws', 1)}/v1/ws?{query}"

    @contextlib.asynccontextmanager
    async def socket(self, token: str, **params: Any) -> AsyncIterator[Socket]:
        async with connect(self.ws_url(token, **params), max_size=None) as ws:
            yield Socket(ws)


class Socket:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.skipped: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any] | str | bytes) -> None:
        await self.ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    async def recv(self) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))

    async def recv_until(self, kind: str) -> dict[str, Any]:
        """The next frame of ``kind``; frames before it are kept in ``skipped`` for later calls."""
        for i, frame in enumerate(self.skipped):
            if frame["type"] == kind:
                return self.skipped.pop(i)
        while True:
            frame = await self.recv()
            if frame["type"] == kind:
                return frame
            self.skipped.append(frame)

    async def closed(self) -> tuple[int | None, str | None]:
        """Read (into ``skipped``) until the server closes; the close code and reason."""
        with contextlib.suppress(Exception):
            while True:
                self.skipped.append(await self.recv())
        await asyncio.wait_for(self.ws.wait_closed(), TIMEOUT)
        return self.ws.close_code, self.ws.close_reason


IDENTITY_SECRET = "acme-test-identity-secret"
TENANTS_YAML = f"""
tenants:
  - id: acme
    name: Acme Outdoor
    widget_key: {WIDGET_KEY}
    identity_secret: {IDENTITY_SECRET}
    assistant_name: Ada
    widget: {{layout: floating, strings: {{title: Acme help}}}}
    # The suite shares one NATS (and its limits bucket) and makes many sessions from 127.0.0.1.
    limits: {{sessions_per_ip: 1000000, sessions_per_tenant: 1000000, sockets_per_conversation: 1000000,
              open_sockets_per_conversation: 1000000, open_sockets_per_ip: 1000000, messages_per_conversation: 1000000,
              messages_per_visitor: 1000000}}
  - id: strict
    name: Strict Corp
    widget_key: pk_test_strict
    allowed_origins: ["https://strict.example"]
"""


@pytest.fixture
def gateway_settings(connected_settings: Settings, tmp_path: Path) -> Settings:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(TENANTS_YAML)
    return connected_settings.model_copy(update={"heartbeat_s": 30.0, "tenants_file": tenants})


@pytest.fixture
async def broker(connected_settings: Settings) -> AsyncIterator[NatsBroker]:
    """A broker of the test's own, to publish events the way services do."""
    broker = make_broker(connected_settings)
    await broker.connect()
    await ensure_streams(broker.config.connection_state.stream)
    yield broker
    await broker.stop()


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app (lifespan included) under uvicorn on a free port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=5, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)  # polling uvicorn's own start flag; there is no event to wait on
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


@contextlib.asynccontextmanager
async def gateway_client(app: Any) -> AsyncIterator[GatewayClient]:
    async with serving(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        yield GatewayClient(base_url, http)


@pytest.fixture
async def gateway(gateway_settings: Settings) -> AsyncIterator[GatewayClient]:
    async with gateway_client(create_app(gateway_settings)) as client:
        yield client
