"""Transfer: the assigned agent (or a supervisor) gives a conversation to a colleague who is online or away."""

from __future__ import annotations

import httpx
import nats
import pytest

from shared.events import HandoffRequested, UserMessage
from tests.handoff.conftest import Service, Tenants
from tests.handoff.test_flow import mode, publish


async def presence(api: httpx.AsyncClient, tenants: Tenants, agent: str, status: str) -> None:
    r = await api.put("/v1/agents/me/presence", json={"status": status}, headers=tenants.auth(agent))
    assert r.status_code == 200, r.text


@pytest.mark.connected
@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_the_assigned_agent_transfers_to_a_colleague_and_the_visitor_is_told(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await presence(api, tenants, "alice", "online")
    await publish(
        nats_client,
        UserMessage(tenant_id=t, conversation_id=c, message_id="u1", client_id="u1", visitor_id="v_1", text="Hi"),
    )
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="help"))
    await widget.wait(lambda e: e["type"] == "handoff.queued")
    assert (await api.post(f"/v1/conversations/{c}/claim", headers=tenants.auth("alice"))).status_code == 200

    def transfer(to: str, by: str = "alice", tenant: str | None = None):
        return api.post(
            f"/v1/conversations/{c}/transfer", json={"agent_id": to}, headers=tenants.auth(by, tenant=tenant)
        )

    # Bob is offline: refused, nothing changes
    refused = await transfer("bob")
    assert refused.status_code == 409
    assert refused.json()["code"] == "agent_unavailable"
    assert "offline" in refused.json()["detail"]
    await presence(api, tenants, "bob", "away")  # away still may be given one by hand
    assert (await transfer("nobody")).status_code == 404
    assert (await transfer("alice")).json()["code"] == "agent_unavailable"  # already hers
    assert (await transfer("alice", by="bob")).json()["code"] == "not_assigned_to_you"  # not Bob's to give

    moved = await transfer("bob")
    assert moved.status_code == 200, moved.text
    assert (moved.json()["state"], moved.json()["agent_id"], moved.json()["agent_name"]) == (
        "assigned",
        "bob",
        f"Bob of {t[:4]}",
    )
    joined = await widget.wait(lambda e: e["type"] == "handoff.accepted" and e["agent"]["name"].startswith("Bob"))
    assert joined["agent"]["name"] == f"Bob of {t[:4]}"
    assert await mode(nats_client, t, c) == b"assigned"
    # now Alice may no longer write; Bob may
    alice = await api.post(f"/v1/conversations/{c}/messages", json={"text": "x"}, headers=tenants.auth("alice"))
    assert alice.status_code == 409
    bob = await api.post(f"/v1/conversations/{c}/messages", json={"text": "Bob here"}, headers=tenants.auth("bob"))
    assert bob.status_code == 200
    # a supervisor may move anyone's; another tenant's agent sees nothing
    await presence(api, tenants, "alice", "online")
    assert (await transfer("alice", by="sam")).json()["agent_id"] == "alice"
    assert (await transfer("bob", tenant=tenants.other)).status_code == 404
