"""The widget socket against a running gateway: who may connect, and what visitor frames publish."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import nats
import pytest
from websockets.asyncio.client import connect

from gateway import tokens
from shared.settings import Settings
from shared.subjects import Channel, conversation_pattern
from tests.gateway.conftest import TIMEOUT, GatewayClient

pytestmark = pytest.mark.connected


async def _bus(nc: nats.NATS, channel: Channel, session: dict):
    return await nc.subscribe(conversation_pattern(channel, "acme", session["conversation_id"]))


async def test_hello_on_accept(gateway: GatewayClient, gateway_settings: Settings) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"]) as ws:
        hello = await ws.recv()
    assert hello["type"] == "hello"
    assert hello["conversation_id"] == session["conversation_id"]
    assert hello["visitor_id"] == session["visitor_id"]
    assert hello["heartbeat_s"] == gateway_settings.heartbeat_s
    assert hello["max_frame_bytes"] == gateway_settings.max_frame_bytes


async def test_message_send_publishes_a_user_message_and_acks_with_seq(
    gateway: GatewayClient, nats_client: nats.NATS
) -> None:
    session = await gateway.session()
    bus = await _bus(nats_client, Channel.CONV, session)
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        await ws.send({"type": "message.send", "client_id": "c-1", "text": "Where is my order?"})
        ack = await ws.recv_until("ack")
        # The visitor's own message comes back too (with its seq), so other tabs show it.
        echo = await ws.recv_until("message.user")
        published = json.loads((await bus.next_msg(TIMEOUT)).data)
        # A resend of the same client_id is the same message: same ack, nothing new stored.
        await ws.send({"type": "message.send", "client_id": "c-1", "text": "Where is my order?"})
        again = await ws.recv_until("ack")
        await bus.unsubscribe()
        await ws.send({"type": "ping"})
        await ws.recv_until("pong")
    assert published["type"] == "message.user"
    assert published["text"] == "Where is my order?"
    assert published["visitor_id"] == session["visitor_id"]
    assert published["client_id"] == "c-1"
    assert ack == {"type": "ack", "client_id": "c-1", "message_id": published["message_id"], "seq": ack["seq"]}
    assert isinstance(ack["seq"], int)
    assert echo["seq"] == ack["seq"]
    assert again == ack
    js = nats_client.jetstream()
    info = await js.stream_info(
        "SB_CONV", subjects_filter=conversation_pattern(Channel.CONV, "acme", session["conversation_id"])
    )
    assert sum((info.state.subjects or {}).values()) == 1


async def test_a_user_message_carries_the_page_and_language_the_socket_reported(
    gateway: GatewayClient, nats_client: nats.NATS
) -> None:
    session = await gateway.session()
    bus = await _bus(nats_client, Channel.CONV, session)
    async with gateway.socket(session["token"], page="/pricing/teams", lang="fr-ca") as ws:
        await ws.recv_until("hello")
        await ws.send({"type": "message.send", "client_id": "c-1", "text": "Combien ?"})
        await ws.recv_until("ack")
        published = json.loads((await bus.next_msg(TIMEOUT)).data)
    assert (published["page"], published["language"]) == ("/pricing/teams", "fr-ca")
    # without a lang parameter, the browser's Accept-Language; without a page, none
    async with connect(
        gateway.ws_url(session["token"]), additional_headers={"Accept-Language": "de-DE,de;q=0.9"}
    ) as raw:
        await raw.recv()  # hello
        await raw.send(json.dumps({"type": "message.send", "client_id": "c-2", "text": "Wie viel?"}))
        published = json.loads((await bus.next_msg(TIMEOUT)).data)
    await bus.unsubscribe()
    assert (published["page"], published["language"]) == (None, "de-DE")


async def test_other_frames_publish_their_events(gateway: GatewayClient, nats_client: nats.NATS) -> None:
    session = await gateway.session()
    conv, ops, live = [await _bus(nats_client, ch, session) for ch in (Channel.CONV, Channel.OPS, Channel.LIVE)]
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        await ws.send({"type": "widget.action", "action_id": "a-1", "name": "track_order", "value": {"order": "42"}})
        action_ack = await ws.recv_until("ack")
        await ws.send({"type": "typing", "on": True})
        await ws.send({"type": "handoff.ask", "reason": "I want a person"})
        await ws.send({"type": "feedback", "message_id": "m1", "rating": "down", "comment": "wrong"})
        action = json.loads((await conv.next_msg(TIMEOUT)).data)
        typing = json.loads((await live.next_msg(TIMEOUT)).data)
        handoff = json.loads((await ops.next_msg(TIMEOUT)).data)
        feedback = json.loads((await ops.next_msg(TIMEOUT)).data)
        for sub in (conv, ops, live):
            await sub.unsubscribe()
    assert (action["type"], action["name"], action["value"]) == ("widget.action", "track_order", {"order": "42"})
    assert action_ack == {"type": "ack", "action_id": "a-1", "seq": action_ack["seq"]}
    assert (typing["type"], typing["on"]) == ("visitor.typing", True)
    assert (handoff["type"], handoff["trigger"], handoff["reason"]) == (
        "handoff.requested",
        "visitor",
        "I want a person",
    )
    assert (feedback["type"], feedback["rating"], feedback["comment"]) == ("feedback", "down", "wrong")


async def test_missing_bad_and_expired_tokens_close_4401(gateway: GatewayClient, gateway_settings: Settings) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=2)
    expired = tokens.sign(gateway_settings.secret_key, "acme", "v_x", "conv_x", ttl_s=60, now=long_ago)
    forged = tokens.sign("not-the-server-secret-at-all", "acme", "v_x", "conv_x", ttl_s=60)
    for token, reason in (("", "token"), ("garbage", "signed"), (expired, "expired"), (forged, "signed")):
        async with gateway.socket(token) as ws:
            code, text = await ws.closed()
        assert code == 4401, token
        assert reason in text


async def test_another_visitors_conversation_is_4403(gateway: GatewayClient) -> None:
    mine, theirs = await gateway.session(), await gateway.session()
    async with gateway.socket(mine["token"], conversation_id=theirs["conversation_id"]) as ws:
        assert await ws.closed() == (4403, "conversation not yours")
    async with gateway.socket(mine["token"], conversation_id=mine["conversation_id"]) as ws:
        assert (await ws.recv())["type"] == "hello"


@pytest.mark.parametrize("after_seq", ["abc", "-1", str(2**64)])
async def test_after_seq_must_be_a_sequence_number(gateway: GatewayClient, after_seq: str) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"], after_seq=after_seq) as ws:
        code, reason = await ws.closed()
    assert code == 1008
    assert "after_seq" in reason


async def test_socket_from_an_origin_the_tenant_does_not_allow_is_4403(gateway: GatewayClient) -> None:
    response = await gateway.http.post("/v1/session", json={"widget_key": "pk_test_strict"})
    token = response.json()["token"]
    url = gateway.ws_url(token)
    async with connect(url, origin="https://evil.example") as ws:
        await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
    assert (ws.close_code, ws.close_reason) == (4403, "origin 'https://evil.example' not allowed")
    async with connect(url, origin="https://strict.example") as ws:
        assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))["type"] == "hello"


async def test_every_component_kind_is_replayed_on_resume(gateway: GatewayClient, nats_client: nats.NATS) -> None:
    from shared.events import parse_event
    from tests.component_kinds import every_kind
    from tests.services.recorder.jetstream import publish

    session = await gateway.session()
    sent = every_kind("acme", session["conversation_id"])
    for event in sent:
        await publish(nats_client.jetstream(), event)
    async with gateway.socket(session["token"], after_seq=0) as ws:
        replayed = [
            await ws.recv_until(kind) for kind in ("message.completed", "component.updated", "component.updated")
        ]
        resumed = await ws.recv_until("resumed")
    assert resumed["replayed"] == 3
    for original, frame in zip(sent, replayed, strict=True):
        assert parse_event(json.dumps(frame)).model_dump(exclude={"seq"}) == original.model_dump(exclude={"seq"})


async def test_an_internal_agent_note_never_reaches_the_widget_socket(
    gateway: GatewayClient, nats_client: nats.NATS
) -> None:
    from shared.events import AgentNote, Author, Notice

    session = await gateway.session()
    c = session["conversation_id"]
    js = nats_client.jetstream()
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        note = AgentNote(
            tenant_id="acme", conversation_id=c, note_id="n1", agent_id="al", author=Author(name="Al"), text="VIP"
        )
        await js.publish(note.subject, note.model_dump_json().encode())
        # published after the note: once the widget has it, the note would have come first
        marker = Notice(tenant_id="acme", conversation_id=c, code="marker", text="after the note")
        await js.publish(marker.subject, marker.model_dump_json().encode())
        got = await ws.recv_until("notice")
    assert got["code"] == "marker"
    assert [f for f in ws.skipped if f.get("type") == "agent.note" or "VIP" in json.dumps(f)] == []


async def test_a_verified_visitor_is_named_in_their_messages_an_anonymous_one_never(
    gateway: GatewayClient, nats_client: nats.NATS
) -> None:
    import hashlib
    import hmac

    from tests.gateway.conftest import IDENTITY_SECRET

    good = hmac.new(IDENTITY_SECRET.encode(), b"alice", hashlib.sha256).hexdigest()
    named = {"user_name": "Alice Liddell", "user_email": "alice@example.com"}
    published = []
    for session in (
        await gateway.session(user_id="alice", user_hash=good, **named),
        await gateway.session(**named),  # anonymous: anyone could claim that name
    ):
        bus = await _bus(nats_client, Channel.CONV, session)
        async with gateway.socket(session["token"]) as ws:
            await ws.recv_until("hello")
            await ws.send({"type": "message.send", "client_id": "c-1", "text": "Hello"})
            await ws.recv_until("ack")
            published.append(json.loads((await bus.next_msg(TIMEOUT)).data))
        await bus.unsubscribe()
    verified, anonymous = published
    assert (verified["visitor_name"], verified["visitor_email"]) == ("Alice Liddell", "alice@example.com")
    assert verified["visitor_id"].startswith("u_")
    assert (anonymous["visitor_name"], anonymous["visitor_email"]) == (None, None)
