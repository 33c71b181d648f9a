"""The handoff story against a real nats-server, the service running in-process, the widget simulated."""

from __future__ import annotations

import asyncio

import httpx
import nats
import pytest

from handoff.store import mode_key
from handoff.transcript import read_subject
from shared.events import HandoffRequested, UserMessage, VisitorTyping
from shared.subjects import CONV_STREAM, CONVERSATION_STATE_BUCKET, Channel, subject
from tests.handoff.agent_socket import agent_socket
from tests.handoff.conftest import Service, Tenants, token

pytestmark = pytest.mark.connected


async def publish(nc: nats.NATS, event) -> None:
    """Publish like a service does (JetStream for durable events)."""
    js = nc.jetstream()
    if event.durable:
        await js.publish(event.subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": event.id})
    else:
        await nc.publish(event.subject, event.model_dump_json().encode())


async def mode(nc: nats.NATS, tenant: str, conv: str) -> bytes:
    kv = await nc.jetstream().key_value(CONVERSATION_STATE_BUCKET)
    return (await kv.get(mode_key(tenant, conv))).value


async def go_online(api: httpx.AsyncClient, tenants: Tenants, agent: str = "alice") -> None:
    r = await api.put("/v1/agents/me/presence", json={"status": "online"}, headers=tenants.auth(agent))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "online"


async def test_visitor_asks_agent_joins_talks_and_hands_back(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    async with agent_socket(service.ws_url, token(t, "alice")) as (console, ws):
        await console.wait(lambda f: f.get("kind") == "agent" and f["agent"]["status"] == "online")
        await publish(
            nats_client,
            UserMessage(
                tenant_id=t,
                conversation_id=c,
                message_id="m1",
                client_id="m1",
                visitor_id="v1",
                text="My order never came",
            ),
        )
        await publish(
            nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="asked for a human")
        )

        queued = await widget.wait(lambda e: e["type"] == "handoff.queued")
        assert queued["trigger"] == "visitor"
        assert queued["seq"] is None or isinstance(queued["seq"], int)
        accepted = await widget.wait(lambda e: e["type"] == "handoff.accepted")
        assert accepted["agent"]["name"] == f"Alice of {t[:4]}"
        assert await mode(nats_client, t, c) == b"assigned"
        await console.wait(
            lambda f: (
                f.get("kind") == "conversation"
                and f["conversation"]["state"] == "assigned"
                and f["conversation"]["conversation_id"] == c
            )
        )

        # visitor typing and messages reach the agent console
        await publish(nats_client, VisitorTyping(tenant_id=t, conversation_id=c, on=True))
        typing = await console.wait(lambda f: f.get("kind") == "event" and f["event"]["type"] == "visitor.typing")
        assert typing["channel"] == "live"
        await publish(
            nats_client,
            UserMessage(
                tenant_id=t, conversation_id=c, message_id="m2", client_id="m2", visitor_id="v1", text="Hello?"
            ),
        )
        seen = await console.wait(lambda f: f.get("kind") == "event" and f["event"].get("message_id") == "m2")
        assert seen["seq"] is not None  # durable events come with their stream sequence

        # agent typing and messages reach the widget
        await ws.send(f'{{"kind": "typing", "conversation_id": "{c}", "on": true}}')
        agent_typing = await widget.wait(lambda e: e["type"] == "typing")
        assert agent_typing["who"] == "agent"
        assert agent_typing["on"] is True
        r = await api.post(
            f"/v1/conversations/{c}/messages", json={"text": "Hi, I'm on it", "client_id": "a1"}, headers=tenants.auth()
        )
        assert r.status_code == 200, r.text
        sent = await widget.wait(lambda e: e["type"] == "message.completed" and e["role"] == "agent")
        assert sent["text"] == "Hi, I'm on it"
        assert sent["author"]["name"].startswith("Alice")
        # resending the same client id is idempotent
        again = await api.post(
            f"/v1/conversations/{c}/messages", json={"text": "Hi, I'm on it", "client_id": "a1"}, headers=tenants.auth()
        )
        assert again.json()["seq"] == r.json()["seq"]

        r = await api.post(f"/v1/conversations/{c}/handback", headers=tenants.auth())
        assert r.status_code == 200
        assert r.json()["state"] == "ai"
        ended = await widget.wait(lambda e: e["type"] == "handoff.ended")
        assert ended["outcome"] == "back_to_ai"
        assert await mode(nats_client, t, c) == b"ai"

    r = await api.get(f"/v1/conversations/{c}/transcript", headers=tenants.auth())
    assert r.status_code == 200
    roles = [(m["role"], m["text"]) for m in r.json()["messages"]]
    assert roles == [("visitor", "My order never came"), ("visitor", "Hello?"), ("agent", "Hi, I'm on it")]


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_two_agents_claim_at_once_one_wins(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await go_online(api, tenants, "alice")
    await go_online(api, tenants, "bob")
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="sentiment", reason="angry"))
    await widget.wait(lambda e: e["type"] == "handoff.queued")
    listed = await api.get("/v1/conversations", params={"state": "queued"}, headers=tenants.auth())
    assert [x["conversation_id"] for x in listed.json()] == [c]
    assert listed.json()[0]["position"] == 1

    results = await asyncio.gather(
        api.post(f"/v1/conversations/{c}/claim", headers=tenants.auth("alice")),
        api.post(f"/v1/conversations/{c}/claim", headers=tenants.auth("bob")),
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.text for r in results]
    winner = next(r for r in results if r.status_code == 200).json()["agent_id"]
    await widget.wait(lambda e: e["type"] == "handoff.accepted")
    # both claims have answered, so every accepted event is already stored: count them in the stream
    stored = await read_subject(nats_client.jetstream(), CONV_STREAM, subject(Channel.CONV, t, c, "handoff.accepted"))
    assert len(stored) == 1
    loser = "bob" if winner == "alice" else "alice"
    r = await api.post(f"/v1/conversations/{c}/messages", json={"text": "me too"}, headers=tenants.auth(loser))
    assert r.status_code == 409


async def test_agent_of_another_tenant_gets_404(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await go_online(api, tenants, "alice")
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor"))
    await widget.wait(lambda e: e["type"] == "handoff.accepted")
    stranger = tenants.auth("alice", tenants.other)
    for method, path in [
        ("GET", f"/v1/conversations/{c}"),
        ("POST", f"/v1/conversations/{c}/claim"),
        ("POST", f"/v1/conversations/{c}/resolve"),
        ("GET", f"/v1/conversations/{c}/transcript"),
    ]:
        r = await api.request(method, path, headers=stranger)
        assert r.status_code == 404, (path, r.text)
    listed = await api.get("/v1/conversations", headers=stranger)
    assert c not in [x["conversation_id"] for x in listed.json()]
    assert (await api.get("/v1/conversations", headers={"Authorization": "Bearer nope"})).status_code == 401
    assert (await api.get("/v1/conversations")).status_code == 401


async def test_no_agent_online_back_to_ai(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor"))
    notice = await widget.wait(lambda e: e["type"] == "notice")
    assert notice["code"] == "no_agent_online"
    assert "Ada" in notice["text"]
    ended = await widget.wait(lambda e: e["type"] == "handoff.ended")
    assert ended["outcome"] == "back_to_ai"
    assert ended["reason"] == "no_agent_online"
    assert not widget.of_type("handoff.queued")
    # asking again is answered again (every request gets its own events)
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor"))
    await widget.wait(lambda _: len(widget.of_type("handoff.ended")) == 2)
    assert len(widget.of_type("notice")) == 2


@pytest.mark.parametrize("handoff_rules", [{"when_no_agent": "leave_message"}])
async def test_no_agent_online_leave_message_then_agent_arrives(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="keyword", reason="'human'"))
    notice = await widget.wait(lambda e: e["type"] == "notice")
    assert notice["code"] == "leave_message"
    assert (await widget.wait(lambda e: e["type"] == "handoff.queued"))["position"] == 1
    assert await mode(nats_client, t, c) == b"queued"
    await go_online(api, tenants, "bob")
    accepted = await widget.wait(lambda e: e["type"] == "handoff.accepted")
    assert accepted["agent"]["name"].startswith("Bob")


async def test_agent_disconnect_requeues_to_another_agent(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    async with agent_socket(service.ws_url, token(t, "alice")):
        await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor"))
        first = await widget.wait(lambda e: e["type"] == "handoff.accepted")
        assert first["agent"]["name"].startswith("Alice")
        await go_online(api, tenants, "bob")
    # alice's console closed and did not come back within the grace period
    requeued = await widget.wait(lambda e: e["type"] == "handoff.queued" and e["reason"] == "agent_offline")
    assert requeued["trigger"] == "visitor"
    second = await widget.wait(lambda e: e["type"] == "handoff.accepted" and e["agent"]["name"].startswith("Bob"))
    assert second["id"] != first["id"]
    r = await api.get(f"/v1/conversations/{c}", headers=tenants.auth("bob"))
    assert r.json()["agent_id"] == "bob"
    assert r.json()["requeues"] == 1


async def test_agent_takes_over_an_ai_conversation_and_resolves(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await publish(
        nats_client,
        UserMessage(tenant_id=t, conversation_id=c, message_id="m1", client_id="m1", visitor_id="v", text="hi"),
    )
    for _ in range(100):  # the activity consumer makes it listable; wait for that, not for a time
        listed = await api.get("/v1/conversations", params={"state": "ai"}, headers=tenants.auth())
        if c in [x["conversation_id"] for x in listed.json()]:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("conversation never listed as ai")
    r = await api.post(f"/v1/conversations/{c}/claim", headers=tenants.auth("bob"))
    assert r.status_code == 200
    assert r.json()["state"] == "assigned"
    assert r.json()["trigger"] == "agent"
    assert (await widget.wait(lambda e: e["type"] == "handoff.accepted"))["trigger"] == "agent"
    r = await api.post(f"/v1/conversations/{c}/resolve", headers=tenants.auth("bob"))
    assert r.json()["state"] == "resolved"
    assert (await widget.wait(lambda e: e["type"] == "handoff.ended"))["outcome"] == "resolved"
    assert await mode(nats_client, t, c) == b"resolved"
    # hand back by someone who is not assigned is refused with a reason
    r = await api.post(f"/v1/conversations/{c}/handback", headers=tenants.auth("alice"))
    assert r.status_code == 409
    assert "assigned to you" in r.json()["detail"]


async def test_state_survives_a_restart(
    service_settings,
    handoff_config,
    api: httpx.AsyncClient,
    service: Service,
    tenants: Tenants,
    nats_client: nats.NATS,
    feed_for,
    conversation_id: str,
) -> None:
    from tests.handoff.conftest import start_service

    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await go_online(api, tenants, "alice")
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="orchestrator"))
    await widget.wait(lambda e: e["type"] == "handoff.accepted")
    await service.stop()
    restarted = await start_service(service_settings, handoff_config)
    try:
        async with httpx.AsyncClient(base_url=restarted.url) as client:
            r = await client.get("/v1/conversations", params={"state": "assigned"}, headers=tenants.auth())
            assert [x["conversation_id"] for x in r.json()] == [c]
            agents = {a["agent_id"]: a for a in (await client.get("/v1/agents", headers=tenants.auth())).json()}
            assert agents["alice"]["status"] == "online"
            assert agents["alice"]["load"] == 1
    finally:
        await restarted.stop()


async def test_refused_requests_do_not_bring_an_agent_online(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, conversation_id: str
) -> None:
    r = await api.post(f"/v1/conversations/{conversation_id}/messages", json={"text": "hi"}, headers=tenants.auth())
    assert r.status_code == 404
    r = await api.post(f"/v1/conversations/{conversation_id}/claim", headers=tenants.auth())
    assert r.status_code == 404
    me = await api.get("/v1/agents/me", headers=tenants.auth())
    assert me.json()["status"] == "offline"
