"""Two replicas assigning at once never give an agent more than their capacity (real NATS KV).

Each replica is a Handoff context with its own store and local view, on the same nats-server.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from handoff.agents import load_agents
from handoff.config import HandoffSettings
from handoff.context import Handoff
from handoff.conversations import AgentFull, assign, auto_assign
from handoff.records import AgentPresence, ConversationRecord
from handoff.store import HandoffStore
from shared.bus import ensure_streams, make_broker
from shared.events.base import utcnow
from shared.settings import Settings
from shared.tenants import load_tenants
from tests.handoff.conftest import Tenants

pytestmark = pytest.mark.connected

Replica = Callable[[], Awaitable[Handoff]]


@pytest.fixture
async def replica(service_settings: Settings, handoff_config: HandoffSettings) -> AsyncIterator[Replica]:
    started: list[Handoff] = []

    async def start() -> Handoff:
        broker = make_broker(service_settings)
        nc = await broker.connect()
        await ensure_streams(nc.jetstream())
        store = await HandoffStore.open(nc.jetstream())
        await store.start()
        h = Handoff(
            service_settings,
            handoff_config,
            broker,
            store,
            load_tenants(service_settings.tenants_file),
            load_agents(handoff_config.agents_file),
        )
        started.append(h)
        return h

    yield start
    for h in started:
        await h.store.stop()
        await h.broker.stop()


async def queued_pair(h: Handoff, tenant: str, capacity: int = 1) -> tuple[AgentPresence, list[str]]:
    """Alice online with ``capacity`` slots, none taken, and two queued conversations."""
    account = h.agents.get(tenant, "alice")
    assert account is not None
    presence = await h.store.save_agent(
        AgentPresence(tenant_id=tenant, agent_id="alice", name=account.name, status="online", capacity=capacity)
    )
    ids = []
    for n in range(2):
        record = ConversationRecord(tenant_id=tenant, conversation_id=f"c{n}", state="queued", queued_at=utcnow())
        ids.append((await h.store.save_conversation(record)).conversation_id)
    return presence, ids


async def test_two_replicas_racing_for_the_last_slot_one_wins(replica: Replica, tenants: Tenants) -> None:
    t = tenants.main
    first = await replica()
    presence, (c0, c1) = await queued_pair(first, t)
    second = await replica()  # its view: alice online, load 0, both conversations queued
    account = first.agents.get(t, "alice")
    assert account is not None
    records = [await first.store.load_conversation(t, c) for c in (c0, c1)]

    results = await asyncio.gather(
        assign(first, records[0], presence, account),  # type: ignore[arg-type]
        assign(second, records[1], presence, account),  # type: ignore[arg-type]
        return_exceptions=True,
    )

    won = [r for r in results if isinstance(r, ConversationRecord)]
    assert len(won) == 1, f"Expected exactly one assignment, got {results}"
    assert [type(r) for r in results if not isinstance(r, ConversationRecord)] == [AgentFull]
    stored = [await first.store.load_conversation(t, c) for c in (c0, c1)]
    assert sorted(r.state for r in stored if r) == ["assigned", "queued"]


async def test_two_replicas_auto_assigning_at_once_respect_capacity(replica: Replica, tenants: Tenants) -> None:
    t = tenants.main
    first = await replica()
    _, ids = await queued_pair(first, t)
    second = await replica()

    await asyncio.gather(auto_assign(first, t), auto_assign(second, t))

    stored = [await first.store.load_conversation(t, c) for c in ids]
    assert [r.agent_id for r in stored if r and r.state == "assigned"] == ["alice"]


async def test_a_slot_frees_when_the_conversation_leaves_the_agent(replica: Replica, tenants: Tenants) -> None:
    t = tenants.main
    h = await replica()
    presence, (c0, c1) = await queued_pair(h, t)
    account = h.agents.get(t, "alice")
    assert account is not None
    saved = await assign(h, await h.store.load_conversation(t, c0), presence, account)  # type: ignore[arg-type]
    assert saved is not None
    with pytest.raises(AgentFull):
        await assign(h, await h.store.load_conversation(t, c1), presence, account)  # type: ignore[arg-type]
    await h.store.save_conversation(saved.model_copy(update={"state": "ai", "agent_id": None}))
    assert await assign(h, await h.store.load_conversation(t, c1), presence, account) is not None  # type: ignore[arg-type]
