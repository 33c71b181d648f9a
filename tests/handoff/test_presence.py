"""Presence over time against real NATS: an agent that stops heartbeating loses their conversations."""

from __future__ import annotations

import httpx
import nats
import pytest

from handoff.config import HandoffSettings
from shared.events import HandoffRequested
from tests.handoff.conftest import Service, Tenants
from tests.handoff.test_flow import go_online, publish

pytestmark = pytest.mark.connected


@pytest.fixture
def handoff_config(tenants: Tenants) -> HandoffSettings:
    # heartbeat_s large: nothing refreshes last_seen, so the agent times out after agent_timeout_s
    return HandoffSettings(agents_file=tenants.agents_file, agent_timeout_s=0.5, sweep_interval_s=0.1, heartbeat_s=60)


async def test_timed_out_agent_goes_offline_and_the_conversation_is_handed_to_the_ai(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await go_online(api, tenants, "alice")
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor"))
    await widget.wait(lambda e: e["type"] == "handoff.accepted")
    requeued = await widget.wait(lambda e: e["type"] == "handoff.queued" and e["reason"] == "agent_timeout")
    assert requeued["trigger"] == "visitor"
    # nobody else is online and the tenant's policy is back_to_ai
    notice = await widget.wait(lambda e: e["type"] == "notice")
    assert notice["code"] == "no_agent_online"
    ended = await widget.wait(lambda e: e["type"] == "handoff.ended")
    assert ended["outcome"] == "back_to_ai"
    me = await api.get("/v1/agents/me", headers=tenants.auth("alice"))
    assert me.json()["status"] == "offline"
    assert me.json()["load"] == 0
