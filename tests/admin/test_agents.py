"""Agent accounts through the admin API: invite, change, disable, new token; live on the running handoff service."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.admin.conftest import KEY_ID
from tests.handoff.conftest import Service, token

pytestmark = pytest.mark.connected

HOT_RELOAD_S = 1.0


async def main_tenant(admin: httpx.AsyncClient) -> str:
    return next(t["id"] for t in (await admin.get("/tenants")).json() if t["name"] == "Main Co")


async def me(handoff: Service, agent_token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=handoff.url) as http:
        return await http.get("/v1/agents/me", headers={"Authorization": f"Bearer {agent_token}"})


async def test_the_agents_file_seeds_the_accounts(admin: httpx.AsyncClient) -> None:
    tenant = await main_tenant(admin)
    agents = (await admin.get(f"/tenants/{tenant}/agents")).json()
    assert {(a["id"], a["role"], a["source"]) for a in agents} == {
        ("alice", "agent", "file"),
        ("bob", "agent", "file"),
        ("sam", "supervisor", "file"),
    }
    assert all("token_sha256" not in a for a in agents)


async def test_an_invited_agent_logs_in_until_disabled(
    admin: httpx.AsyncClient, handoff: Service, handoff_app: FastAPI
) -> None:
    tenant = await main_tenant(admin)
    sync = handoff_app.state.agent_sync
    invited = await admin.post(f"/tenants/{tenant}/agents", json={"id": "zoe", "name": "Zoe", "role": "supervisor"})
    assert invited.status_code == 201, invited.text
    zoe_token = invited.json()["token"]
    await sync.until(lambda: sync.directory.get(tenant, "zoe") is not None, HOT_RELOAD_S)
    response = await me(handoff, zoe_token)
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["agent_id"]) == ("Zoe", "zoe")

    assert (await admin.patch(f"/tenants/{tenant}/agents/zoe", json={"capacity": 7})).json()["capacity"] == 7
    await admin.post(f"/tenants/{tenant}/agents/zoe/disable")
    await sync.until(lambda: sync.directory.get(tenant, "zoe").disabled, HOT_RELOAD_S)
    assert (await me(handoff, zoe_token)).status_code == 401

    # A file agent too: its new token works, the old one no longer does.
    rotated = await admin.post(f"/tenants/{tenant}/agents/alice/rotate-token")
    new_token = rotated.json()["token"]
    await sync.until(lambda: sync.directory.authenticate(new_token) is not None, HOT_RELOAD_S)
    assert (await me(handoff, new_token)).status_code == 200
    assert (await me(handoff, token(tenant, "alice"))).status_code == 401
    assert rotated.json()["agent"]["source"] == "admin"

    audit = (await admin.get(f"/tenants/{tenant}/audit")).json()
    assert [(a["action"], a["agent_id"]) for a in audit] == [
        ("agent.rotate_token", "alice"),
        ("agent.disable", "zoe"),
        ("agent.update", "zoe"),
        ("agent.invite", "zoe"),
    ]
    assert {a["key_id"] for a in audit} == {KEY_ID}
    assert audit[0]["diff"] == [{"path": "token_sha256", "before": "***", "after": "***"}]


async def test_invalid_or_duplicate_invitations(admin: httpx.AsyncClient) -> None:
    tenant = await main_tenant(admin)
    bad = await admin.post(f"/tenants/{tenant}/agents", json={"id": "no spaces", "name": "X"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "id"]
    duplicate = await admin.post(f"/tenants/{tenant}/agents", json={"id": "alice", "name": "Alice again"})
    assert duplicate.status_code == 409
    unknown = await admin.post("/tenants/nobody/agents", json={"id": "x", "name": "X"})
    assert unknown.status_code == 404
