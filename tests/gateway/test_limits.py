"""Abuse limits shared by gateway replicas through NATS KV: two real gateways, one limit."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from websockets.asyncio.client import connect

from gateway import limits
from gateway.app import create_app
from shared.settings import Settings
from shared.subjects import Channel, conversation_pattern
from tests.gateway.conftest import GatewayClient, gateway_client

pytestmark = pytest.mark.connected

UNLIMITED = 1_000_000


@pytest.fixture
def tenant_id() -> str:
    return f"t{uuid.uuid4().hex[:12]}"  # a tenant of its own: the limits bucket outlives a test


def _settings(gateway_settings: Settings, tmp_path: Path, tenant_id: str, **limits: int) -> Settings:
    merged = {
        "window_s": 3600,  # one token back per window_s / count: never within a test
        "sessions_per_ip": UNLIMITED,
        "sessions_per_tenant": UNLIMITED,
        "sockets_per_conversation": UNLIMITED,
        "open_sockets_per_conversation": UNLIMITED,
        "open_sockets_per_ip": UNLIMITED,
        "messages_per_conversation": UNLIMITED,
        "messages_per_visitor": UNLIMITED,
        **limits,
    }
    path = tmp_path / f"{tenant_id}.yaml"
    path.write_text(
        f"tenants:\n  - id: {tenant_id}\n    name: Limited\n    widget_key: pk_{tenant_id}\n    limits: {merged}\n"
    )
    return gateway_settings.model_copy(update={"tenants_file": path})


@pytest.fixture
async def two_gateways(
    gateway_settings: Settings, tmp_path: Path, tenant_id: str, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[GatewayClient, GatewayClient]]:
    settings = _settings(gateway_settings, tmp_path, tenant_id, **request.param)
    async with gateway_client(create_app(settings)) as a, gateway_client(create_app(settings)) as b:
        yield a, b


async def _session(gateway: GatewayClient, tenant_id: str, **body: str) -> dict:
    response = await gateway.http.post("/v1/session", json={"widget_key": f"pk_{tenant_id}", **body})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("two_gateways", [{"sessions_per_ip": 3}], indirect=True)
async def test_sessions_per_ip_are_one_limit_across_replicas(
    two_gateways: tuple[GatewayClient, GatewayClient], tenant_id: str
) -> None:
    a, b = two_gateways
    for gateway in (a, b, a):
        await _session(gateway, tenant_id)
    for gateway in (b, a):
        refused = await gateway.http.post("/v1/session", json={"widget_key": f"pk_{tenant_id}"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 1200
        assert "session" in refused.json()["detail"]


@pytest.mark.parametrize("two_gateways", [{"messages_per_conversation": 3}], indirect=True)
async def test_messages_per_conversation_are_one_limit_across_replicas(
    two_gateways: tuple[GatewayClient, GatewayClient], tenant_id: str, nats_client: nats.NATS
) -> None:
    a, b = two_gateways
    session = await _session(a, tenant_id)
    async with a.socket(session["token"]) as on_a, b.socket(session["token"]) as on_b:
        for ws in (on_a, on_b):
            await ws.recv_until("hello")
        answers = []
        for i, ws in enumerate((on_a, on_b, on_a, on_b, on_a)):
            await ws.send({"type": "message.send", "client_id": f"m{i}", "text": f"message {i}"})
            answers.append(await _answer(ws))
    assert [(f["type"], f.get("client_id") or f.get("ref")) for f in answers] == [
        ("ack", "m0"), ("ack", "m1"), ("ack", "m2"), ("error", "m3"), ("error", "m4"),
    ]  # fmt: skip
    assert {f["code"] for f in answers[3:]} == {"rate_limited"}
    assert all(isinstance(f["retry_after"], int) and f["retry_after"] >= 1 for f in answers[3:])
    pattern = conversation_pattern(Channel.CONV, tenant_id, session["conversation_id"])
    info = await nats_client.jetstream().stream_info("SB_CONV", subjects_filter=pattern)
    assert sum((info.state.subjects or {}).values()) == 3  # the refused ones were not stored


async def _answer(ws) -> dict:  # type: ignore[no-untyped-def]
    while (frame := await ws.recv())["type"] not in ("ack", "error"):
        pass
    return frame


@pytest.mark.parametrize("two_gateways", [{"sockets_per_conversation": 2}], indirect=True)
async def test_sockets_per_conversation_are_one_limit_across_replicas(
    two_gateways: tuple[GatewayClient, GatewayClient], tenant_id: str
) -> None:
    a, b = two_gateways
    session = await _session(a, tenant_id)
    async with a.socket(session["token"]) as first, b.socket(session["token"]) as second:
        for ws in (first, second):
            await ws.recv_until("hello")
        async with a.socket(session["token"]) as third:
            code, reason = await third.closed()
    assert code == 1013
    assert "sockets" in reason
    assert [(f["code"], f["retry_after"] >= 1) for f in third.skipped] == [("rate_limited", True)]
    # Another conversation of the same tenant is not affected.
    other = await _session(b, tenant_id)
    async with a.socket(other["token"]) as ws:
        await ws.recv_until("hello")


@pytest.mark.parametrize("two_gateways", [{"open_sockets_per_conversation": 2}], indirect=True)
async def test_open_sockets_per_conversation_are_one_limit_across_replicas_and_freed_on_close(
    two_gateways: tuple[GatewayClient, GatewayClient], tenant_id: str, nats_client: nats.NATS
) -> None:
    a, b = two_gateways
    session = await _session(a, tenant_id)
    kv = await nats_client.jetstream().key_value(limits.BUCKET)
    watcher = await kv.watch(limits._key("open_sockets", f"{tenant_id}\x00{session['conversation_id']}"))
    async with a.socket(session["token"]) as first:
        await first.recv_until("hello")
        async with b.socket(session["token"]) as second:
            await second.recv_until("hello")
            async with a.socket(session["token"]) as third:
                code, _ = await third.closed()
            assert (code, [f["code"] for f in third.skipped]) == (1013, ["rate_limited"])
        # The second socket's lease is given back when it closes (waited for on the KV, not timed).
        counts: list[int] = []  # lease counts as the KV changes: 1, 2, (2 on the refusal), then 1 again
        while counts[-2:] != [2, 1]:
            update = await watcher.updates(timeout=5)
            if update is not None:  # None marks the end of the initial values
                counts.append(len(limits._leases(update.value)))
        async with b.socket(session["token"]) as again:
            assert (await again.recv_until("hello"))["conversation_id"] == session["conversation_id"]
    await watcher.stop()


@pytest.mark.parametrize("two_gateways", [{"messages_per_conversation": 2}], indirect=True)
async def test_the_http_frontends_count_against_the_same_message_limit(
    two_gateways: tuple[GatewayClient, GatewayClient], tenant_id: str, nats_client: nats.NATS
) -> None:
    """AG-UI and ChatKit store visitor messages too: over the limit they are 429 with Retry-After, not stored."""
    from chatkit.actions import Action
    from chatkit.types import (
        ItemFeedbackParams,
        ItemsFeedbackReq,
        ThreadAddUserMessageParams,
        ThreadCustomActionParams,
        ThreadsAddUserMessageReq,
        ThreadsCustomActionReq,
    )

    from tests.frontends.clients import message
    from tests.frontends.test_agui import run_input

    a, b = two_gateways
    session = await _session(a, tenant_id)
    conversation = session["conversation_id"]
    async with a.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        for i in range(2):
            await ws.send({"type": "message.send", "client_id": f"m{i}", "text": f"message {i}"})
            assert (await _answer(ws))["type"] == "ack"
    headers = {"Authorization": f"Bearer {session['token']}"}
    agui = run_input(conversation, "one more").model_dump_json(by_alias=True)
    chatkit = ThreadsAddUserMessageReq(
        params=ThreadAddUserMessageParams(thread_id=conversation, input=message("and another"))
    ).model_dump_json()
    feedback = ItemsFeedbackReq(params=ItemFeedbackParams(thread_id=conversation, item_ids=["m0"], kind="positive"))
    action = ThreadsCustomActionReq(
        params=ThreadCustomActionParams(thread_id=conversation, action=Action(type="choose", payload={}))
    )
    for response in (
        await b.http.post("/agui", content=agui, headers=headers),
        await a.http.post("/chatkit", content=chatkit, headers=headers),
        await a.http.post("/chatkit", content=feedback.model_dump_json(), headers=headers),
        await b.http.post("/chatkit", content=action.model_dump_json(), headers=headers),
    ):
        assert response.status_code == 429, response.text
        assert int(response.headers["Retry-After"]) >= 1
        assert "not stored" in response.json()["detail"]
    async with connect(f"{a.base_url.replace('http', 'ws', 1)}/agui/ws?token={session['token']}") as agui_ws:
        await agui_ws.send(agui)
        refused = json.loads(await agui_ws.recv())
    assert (refused["type"], refused["code"]) == ("RUN_ERROR", "rate_limited")
    pattern = conversation_pattern(Channel.CONV, tenant_id, conversation)
    info = await nats_client.jetstream().stream_info("SB_CONV", subjects_filter=pattern)
    assert sum((info.state.subjects or {}).values()) == 2


@pytest.mark.parametrize("two_gateways", [{"open_sockets_per_conversation": 1}], indirect=True)
async def test_an_agui_socket_counts_with_the_widget_sockets_of_its_conversation(
    two_gateways: tuple[GatewayClient, GatewayClient], tenant_id: str
) -> None:
    a, b = two_gateways
    session = await _session(a, tenant_id)
    agui_url = f"{b.base_url.replace('http', 'ws', 1)}/agui/ws?token={session['token']}"
    async with a.socket(session["token"]) as widget:
        await widget.recv_until("hello")
        async with connect(agui_url) as agui_ws, asyncio.timeout(10):  # served, it would wait for a run
            refused = json.loads(await agui_ws.recv())
            await agui_ws.wait_closed()
        assert (refused["type"], refused["code"]) == ("RUN_ERROR", "rate_limited")
        assert agui_ws.close_code == 1013


@pytest.mark.parametrize("two_gateways", [{"open_sockets_per_ip": 2}], indirect=True)
async def test_open_sockets_per_client_address_are_one_limit_across_replicas(
    two_gateways: tuple[GatewayClient, GatewayClient], tenant_id: str, nats_client: nats.NATS
) -> None:
    """Many tokens from one address (each its own conversation) hold at most that many sockets open at once."""
    a, b = two_gateways
    sessions = [await _session(a, tenant_id) for _ in range(3)]
    kv = await nats_client.jetstream().key_value(limits.BUCKET)
    watcher = await kv.watch(limits._key("open_sockets_ip", f"{tenant_id}\x00127.0.0.1"))
    async with a.socket(sessions[0]["token"]) as first, b.socket(sessions[1]["token"]) as second:
        await first.recv_until("hello")
        await second.recv_until("hello")
        async with a.socket(sessions[2]["token"]) as third:
            code, _ = await third.closed()
        assert (code, [f["code"] for f in third.skipped]) == (1013, ["rate_limited"])
    # Both closed: their leases are given back (waited for on the KV, not timed), and the third opens.
    counts: list[int] = []
    while not counts or counts[-1] != 0 or 2 not in counts:
        update = await watcher.updates(timeout=5)
        if update is not None:
            counts.append(len(limits._leases(update.value)))
    await watcher.stop()
    async with b.socket(sessions[2]["token"]) as again:
        assert (await again.recv_until("hello"))["conversation_id"] == sessions[2]["conversation_id"]
