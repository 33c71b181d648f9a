"""Two handoff replicas share state through NATS KV: a claim on one shows on the other's agent socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import nats
import pytest

from handoff.config import HandoffSettings
from handoff.store import mode_key
from shared.events import HandoffRequested
from shared.settings import Settings
from shared.subjects import CONVERSATION_STATE_BUCKET
from tests.handoff.agent_socket import agent_socket
from tests.handoff.conftest import Service, Tenants, start_service, token
from tests.handoff.test_flow import go_online, publish

pytestmark = pytest.mark.connected


@pytest.fixture
async def replica(service_settings: Settings, handoff_config: HandoffSettings) -> AsyncIterator[Service]:
    running = await start_service(service_settings, handoff_config)
    yield running
    await running.stop()


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_claim_on_one_replica_is_seen_by_the_other(
    service: Service,
    replica: Service,
    api: httpx.AsyncClient,
    tenants: Tenants,
    nats_client: nats.NATS,
    feed_for,
    conversation_id: str,
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    async with agent_socket(replica.ws_url, token(t, "bob")) as (bob_console, _):
        await go_online(api, tenants, "alice")
        await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor"))
        await bob_console.wait(lambda f: f.get("kind") == "conversation" and f["conversation"]["state"] == "queued")
        r = await api.post(f"/v1/conversations/{c}/claim", headers=tenants.auth("alice"))
        assert r.status_code == 200
        seen = await bob_console.wait(
            lambda f: f.get("kind") == "conversation" and f["conversation"]["state"] == "assigned"
        )
        assert seen["conversation"]["agent_id"] == "alice"
        async with httpx.AsyncClient(base_url=replica.url) as other:
            r = await other.post(f"/v1/conversations/{c}/claim", headers=tenants.auth("bob"))
            assert r.status_code == 409
        # exactly one handoff request was processed, by one of the two replicas
        assert len(widget.of_type("handoff.queued")) == 1


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_replicas_keep_sharing_state_after_nats_restarts(
    service: Service,
    replica: Service,
    api: httpx.AsyncClient,
    tenants: Tenants,
    nats_server,
    nats_url: str,
    conversation_id: str,
) -> None:
    t, c = tenants.main, conversation_id
    async with agent_socket(replica.ws_url, token(t, "bob")) as (bob_console, _):
        await go_online(api, tenants, "alice")
        nc = await nats.connect(nats_url)
        await publish(nc, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor"))
        await nc.close()
        await bob_console.wait(lambda f: f.get("kind") == "conversation" and f["conversation"]["state"] == "queued")

        await asyncio.to_thread(nats_server.restart)
        # the claim goes through replica 1 as soon as it has reconnected
        for _ in range(150):
            r = await api.post(f"/v1/conversations/{c}/claim", headers=tenants.auth("alice"))
            if r.status_code == 200:
                break
            await asyncio.sleep(0.1)
        assert r.status_code == 200, r.text
        # replica 2 only learns it through its KV watch, which must have survived the restart
        seen = await bob_console.wait(
            lambda f: f.get("kind") == "conversation" and f["conversation"]["state"] == "assigned", timeout=8
        )
        assert seen["conversation"]["agent_id"] == "alice"


async def test_a_mode_key_left_stale_by_a_crash_is_repaired_at_startup(
    service_settings: Settings,
    handoff_config: HandoffSettings,
    tenants: Tenants,
    nats_client: nats.NATS,
    feed_for,
    conversation_id: str,
) -> None:
    t, c = tenants.main, conversation_id
    first = await start_service(service_settings, handoff_config)
    async with httpx.AsyncClient(base_url=first.url) as api:
        await go_online(api, tenants, "alice")
    widget = await feed_for(t, c)
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor"))
    await widget.wait(lambda e: e["type"] == "handoff.accepted")
    await first.stop()
    # as if the replica had died after storing the record but before writing the mode key
    modes = await nats_client.jetstream().key_value(CONVERSATION_STATE_BUCKET)
    await modes.put(mode_key(t, c), b"ai")
    second = await start_service(service_settings, handoff_config)
    try:
        assert (await modes.get(mode_key(t, c))).value == b"assigned"
    finally:
        await second.stop()
