"""The handoff story end to end on the real processes (runner, gateway, orchestrator, handoff).

A visitor asks for a human while the AI streams; an agent claims through the API; the stream
stops and the widget is told who joined; messages and typing flow both ways; the agent hands
back and the AI answers again. Plus: two agents claiming at once, another tenant's agent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import httpx
import pytest
import websockets
import yaml

from shared.settings import REPO_ROOT
from tests.e2e.client import WidgetClient
from tests.e2e.system import RunningSystem
from tests.handoff.agent_socket import agent_socket
from tests.handoff.conftest import Feed

pytestmark = pytest.mark.e2e

DEMO = REPO_ROOT / "deploy" / "demo" / "tenants.yaml"
ALICE, BOB, GINA = "demo-acme-alice", "demo-acme-bob", "demo-globex-gina"


def manual_assign_tenants(tmp: Path) -> Path:
    """The demo tenants, with acme agents claiming by hand (so the test, not auto-assign, claims)."""
    data = yaml.safe_load(DEMO.read_text())
    for tenant in data["tenants"]:
        tenant["knowledge_base"] = str((DEMO.parent / tenant["knowledge_base"]).resolve())
        if tenant["id"] == "acme":
            tenant["handoff"] = {"auto_assign": False}
    path = tmp / "tenants.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    tmp = tmp_path_factory.mktemp("handoff-system")
    # A slow offline answerer so that a reply is still streaming when the agent claims.
    env = {"TENANTS_FILE": str(manual_assign_tenants(tmp)), "ORCHESTRATOR_WORD_DELAY_S": "0.25"}
    with RunningSystem(tmp / "var", env=env) as running:
        yield running


@pytest.fixture
async def api(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.handoff_url, timeout=15) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def console(system: RunningSystem, token: str) -> AbstractAsyncContextManager[tuple[Feed, websockets.ClientConnection]]:
    return agent_socket(system.handoff_url.replace("http://", "ws://") + "/v1/agent/ws", token, auth_frame=True)


async def test_the_whole_handoff_story(system: RunningSystem, api: httpx.AsyncClient) -> None:
    widget = WidgetClient(system.gateway_url)
    await widget.connect()
    async with console(system, ALICE) as (agent, agent_ws):
        await widget.wait_type("hello")
        c = widget.conversation_id
        r = await api.put("/v1/agents/me/presence", json={"status": "online"}, headers=bearer(ALICE))
        assert r.status_code == 200

        # the AI starts streaming (its tokens go to the agent console only once the conversation is hers)
        first = await widget.say("How long do I have to return an item?")
        ack = await widget.wait_type("ack", client_id=first)
        created = await widget.wait_type("message.created", reply_to=ack["message_id"])
        await widget.wait_type("message.delta", message_id=created["message_id"])

        # the visitor asks for a human mid-stream; it is queued, the agent claims through the API
        await widget.send({"type": "handoff.ask", "reason": "I want to talk to a person"})
        queued = await widget.wait_type("handoff.queued")
        assert queued["trigger"] == "visitor"
        await agent.wait(
            lambda f: (
                f.get("kind") == "event"
                and f["event"]["type"] == "handoff.requested"
                and f["event"]["conversation_id"] == c
            )
        )
        assert not [f for f in agent.events if f.get("kind") == "event" and f["event"]["type"] == "message.delta"]
        await agent.wait(
            lambda f: (
                f.get("kind") == "conversation"
                and f["conversation"]["conversation_id"] == c
                and f["conversation"]["state"] == "queued"
            )
        )
        r = await api.post(f"/v1/conversations/{c}/claim", headers=bearer(ALICE))
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "assigned"

        # the stream stops, marked so, and the widget knows who joined
        accepted = await widget.wait_type("handoff.accepted")
        assert accepted["agent"]["name"] == "Alice Moreau"
        cancelled = await widget.wait_type("message.cancelled", message_id=created["message_id"])
        assert cancelled["reason"] == "agent_joined"
        assert widget.text_of(created["message_id"]) == cancelled["text"]
        # "within one token": at most one delta of that reply reached the widget after the agent joined
        joined_at = widget.frames.index(accepted)
        late = [
            f
            for f in widget.frames[joined_at:]
            if f.get("type") == "message.delta" and f["message_id"] == created["message_id"]
        ]
        assert len(late) <= 1, late
        assert not [f for f in widget.of_type("message.completed") if f["message_id"] == created["message_id"]]

        # agent -> visitor: typing and a message
        await agent_ws.send(json.dumps({"kind": "typing", "conversation_id": c, "on": True}))
        typing = await widget.wait_for(lambda f: f.get("type") == "typing" and f.get("who") == "agent")
        assert typing["name"] == "Alice Moreau"
        r = await api.post(
            f"/v1/conversations/{c}/messages",
            headers=bearer(ALICE),
            json={"text": "Hi, I'm Alice. Returns are free for 30 days.", "client_id": "x1"},
        )
        assert r.status_code == 200
        said = await widget.wait_for(lambda f: f.get("type") == "message.completed" and f.get("role") == "agent")
        assert said["author"]["name"] == "Alice Moreau"

        # visitor -> agent: typing and a message (the AI stays silent while assigned)
        await widget.send({"type": "typing", "on": True})
        await agent.wait(
            lambda f: (
                f.get("kind") == "event"
                and f["event"]["type"] == "visitor.typing"
                and f["event"]["conversation_id"] == c
            )
        )
        during = await widget.say("Great, and do you cover shipping?")
        during_ack = await widget.wait_type("ack", client_id=during)
        await agent.wait(
            lambda f: f.get("kind") == "event" and f["event"].get("message_id") == during_ack["message_id"]
        )

        # hand back: the AI answers the next message again
        r = await api.post(f"/v1/conversations/{c}/handback", headers=bearer(ALICE))
        assert r.json()["state"] == "ai"
        ended = await widget.wait_type("handoff.ended")
        assert ended["outcome"] == "back_to_ai"
        after = await widget.say("And what about the warranty?")
        after_ack = await widget.wait_type("ack", client_id=after)
        answer = await widget.wait_type("message.completed", reply_to=after_ack["message_id"], timeout=60)
        assert answer["role"] == "assistant"
        assert answer["text"]
        # the message sent while the agent had the conversation was never answered by the AI
        assert not [f for f in widget.of_type("message.created") if f.get("reply_to") == during_ack["message_id"]]

    r = await api.get(f"/v1/conversations/{c}/transcript", headers=bearer(ALICE))
    messages = r.json()["messages"]
    roles = [m["role"] for m in messages]
    assert roles[:2] == ["visitor", "assistant"]
    assert messages[1]["cancelled"]
    assert "agent" in roles
    assert roles[-1] == "assistant"
    await widget.close()


async def test_two_agents_claim_at_once_and_another_tenant_is_refused(
    system: RunningSystem, api: httpx.AsyncClient
) -> None:
    widget = WidgetClient(system.gateway_url)
    await widget.connect()
    try:
        await widget.wait_type("hello")
        c = widget.conversation_id
        for token in (ALICE, BOB):
            r = await api.put("/v1/agents/me/presence", json={"status": "online"}, headers=bearer(token))
            assert r.status_code == 200
        await widget.send({"type": "handoff.ask"})
        await widget.wait_type("handoff.queued")
        claims = await asyncio.gather(
            api.post(f"/v1/conversations/{c}/claim", headers=bearer(ALICE)),
            api.post(f"/v1/conversations/{c}/claim", headers=bearer(BOB)),
        )
        assert sorted(r.status_code for r in claims) == [200, 409]
        await widget.wait_type("handoff.accepted")
        r = await api.get(f"/v1/conversations/{c}", headers=bearer(GINA))
        assert r.status_code == 404
        r = await api.post(f"/v1/conversations/{c}/messages", json={"text": "hi"}, headers=bearer(GINA))
        assert r.status_code == 404
    finally:
        await widget.close()


async def test_no_agent_online_the_visitor_is_told_and_the_ai_carries_on(system: RunningSystem) -> None:
    widget = WidgetClient(system.gateway_url, widget_key="pk_demo_globex")  # no globex agent is ever online here
    await widget.connect()
    try:
        await widget.wait_type("hello")
        await widget.send({"type": "handoff.ask", "reason": "human please"})
        notice = await widget.wait_type("notice", code="no_agent_online")
        assert "Max" in notice["text"]  # the tenant's assistant keeps helping
        ended = await widget.wait_type("handoff.ended")
        assert ended["outcome"] == "back_to_ai"
        asked = await widget.say("What is the interest rate on savings accounts?")
        ack = await widget.wait_type("ack", client_id=asked)
        answer = await widget.wait_type("message.completed", reply_to=ack["message_id"], timeout=60)
        assert answer["role"] == "assistant"
    finally:
        await widget.close()
