"""Gateway fixtures: the real app under uvicorn on a free port, against the test nats-server."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from gateway.app import create_app
from services.nats_embedded import free_port
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

    async def send(self, frame: dict[str, Any] | str | bytes) -> None:
        await self.ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    async def recv(self) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))

    async def recv_until(self, kind: str) -> dict[str, Any]:
        """The next frame of ``kind``, skipping heartbeats and anything else before it."""
        while True:
            frame = await self.recv()
            if frame["type"] == kind:
                return frame

    async def closed(self) -> tuple[int | None, str | None]:
        """Read until the server closes; the close code and reason."""
        with contextlib.suppress(Exception):
            while True:
                await asyncio.wait_for(self.ws.recv(), TIMEOUT)
        await asyncio.wait_for(self.ws.wait_closed(), TIMEOUT)
        return self.ws.close_code, self.ws.close_reason


@pytest.fixture
def gateway_settings(connected_settings: Settings) -> Settings:
    return connected_settings.model_copy(update={"heartbeat_s": 30.0})


@pytest.fixture
async def gateway(gateway_settings: Settings) -> AsyncIterator[GatewayClient]:
    port = free_port()
    config = uvicorn.Config(
        create_app(gateway_settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)  # polling uvicorn's own start flag; there is no event to wait on
    base_url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base_url) as http:
        yield GatewayClient(base_url, http)
    server.should_exit = True
    await asyncio.wait_for(task, 15)
