"""Handoff fixtures: the service in-process under uvicorn on a free port, fresh tenants per test.

Every test gets its own tenant ids, so KV records and durable consumers shared through the
session's nats-server never leak from one test into another.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import uvicorn
import yaml

from handoff.app import create_app
from handoff.config import HandoffSettings
from services.nats_embedded import free_port
from shared.settings import Settings
from shared.subjects import Channel, conversation_pattern

AGENTS = ("alice", "bob")
SUPERVISOR = "sam"  # role supervisor: sees every live event of the tenant


def token(tenant: str, agent: str) -> str:
    return f"tok-{tenant}-{agent}"


@dataclass
class Tenants:
    """Two tenants per test: ``main`` (auto-assign, back_to_ai) and ``other``; plus per-test overrides."""

    main: str
    other: str
    tenants_file: Path
    agents_file: Path

    def auth(self, agent: str = "alice", tenant: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(tenant or self.main, agent)}"}


def write_tenants(tmp_path: Path, main_rules: dict[str, Any]) -> Tenants:
    suffix = uuid.uuid4().hex[:8]
    main, other = f"main{suffix}", f"other{suffix}"
    tenants = [
        {
            "id": main,
            "name": "Main Co",
            "widget_key": f"pk_{main}",
            "assistant_name": "Ada",
            "handoff": main_rules or {},
        },
        {"id": other, "name": "Other Co", "widget_key": f"pk_{other}"},
    ]
    agents = [
        {
            "id": agent,
            "tenant_id": tenant,
            "name": f"{agent.title()} of {tenant[:4]}",
            "capacity": 2,
            "role": "supervisor" if agent == SUPERVISOR else "agent",
            "token_sha256": hashlib.sha256(token(tenant, agent).encode()).hexdigest(),
        }
        for tenant in (main, other)
        for agent in (*AGENTS, SUPERVISOR)
    ]
    tenants_file, agents_file = tmp_path / "tenants.yaml", tmp_path / "agents.yaml"
    tenants_file.write_text(yaml.safe_dump({"tenants": tenants}))
    agents_file.write_text(yaml.safe_dump({"agents": agents}))
    return Tenants(main, other, tenants_file, agents_file)


@dataclass
class Service:
    url: str
    server: uvicorn.Server
    task: asyncio.Task[None]

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/v1/agent/ws"

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


async def serve(app: Any) -> Service:
    """Any ASGI app under uvicorn in this event loop, on a free port, once it accepts connections."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=5, lifespan="on"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn offers no startup event to await
        if task.done():
            task.result()
            raise RuntimeError("server exited during startup")
        await asyncio.sleep(0.02)
    return Service(f"http://127.0.0.1:{port}", server, task)


async def start_service(settings: Settings, config: HandoffSettings) -> Service:
    return await serve(create_app(settings, config))


@pytest.fixture
def handoff_rules() -> dict[str, Any]:
    """Override in a test module (or parametrize) to change the main tenant's HandoffRules."""
    return {}


@pytest.fixture
def tenants(tmp_path: Path, handoff_rules: dict[str, Any]) -> Tenants:
    return write_tenants(tmp_path, handoff_rules)


@pytest.fixture
def handoff_config(tenants: Tenants) -> HandoffSettings:
    return HandoffSettings(
        agents_file=tenants.agents_file,
        reconnect_grace_s=0.3,
        sweep_interval_s=0.2,
        agent_timeout_s=30,
        heartbeat_s=5,
        webhook_backoff_s=0.05,
    )


@pytest.fixture
def service_settings(connected_settings: Settings, tenants: Tenants) -> Settings:
    return connected_settings.model_copy(update={"tenants_file": tenants.tenants_file})


@pytest.fixture
async def service(service_settings: Settings, handoff_config: HandoffSettings) -> AsyncIterator[Service]:
    running = await start_service(service_settings, handoff_config)
    yield running
    await running.stop()


@pytest.fixture
async def api(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        yield client


@dataclass
class Feed:
    """Everything published on a set of subjects, as parsed JSON, awaitable by predicate."""

    events: list[dict[str, Any]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, data: dict[str, Any]) -> None:
        self.events.append(data)
        self.changed.set()

    async def wait(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10) -> dict[str, Any]:
        async def _wait() -> dict[str, Any]:
            seen = 0
            while True:
                for event in self.events[seen:]:
                    if predicate(event):
                        return event
                seen = len(self.events)
                self.changed.clear()
                await self.changed.wait()

        try:
            return await asyncio.wait_for(_wait(), timeout)
        except TimeoutError:
            kinds = [e.get("type") or e.get("kind") for e in self.events]
            raise AssertionError(f"no matching event within {timeout}s; got {kinds}") from None

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("type") == kind]


async def widget_feed(nc: nats.NATS, tenant: str, conversation: str) -> Feed:
    """What a gateway would deliver to the widget: everything on sb.push for the conversation."""
    feed = Feed()

    async def on_msg(msg: Any) -> None:
        feed.add(json.loads(msg.data))

    await nc.subscribe(conversation_pattern(Channel.PUSH, tenant, conversation), cb=on_msg)
    await nc.flush()
    return feed


@pytest.fixture
def feed_for(nats_client: nats.NATS) -> Callable[[str, str], Any]:
    async def make(tenant: str, conversation: str) -> Feed:
        return await widget_feed(nats_client, tenant, conversation)

    return make
