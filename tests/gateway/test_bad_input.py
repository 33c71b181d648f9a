"""Bad input on the widget socket: each gets a clear answer, and the gateway keeps serving everyone."""

import json
import logging
from typing import Any

import nats
import pytest
from faststream.nats import NatsBroker

from gateway import delivery
from shared.bus import emit
from shared.events import MessageDelta
from shared.settings import Settings
from shared.subjects import Channel, conversation_pattern
from tests.gateway.conftest import GatewayClient, Socket

pytestmark = pytest.mark.connected


@pytest.fixture
def gateway_settings(gateway_settings: Settings) -> Settings:
    return gateway_settings.model_copy(update={"frames_per_second": 2.0, "frame_burst": 5, "max_frame_bytes": 12000})


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"k": [value]}
    return value


async def _open(gateway: GatewayClient) -> tuple[dict, Socket]:
    session = await gateway.session()
    ws = gateway.socket(session["token"])
    return session, ws


async def assert_healthy(gateway: GatewayClient) -> None:
    """A fresh visitor can still connect, send and get an ack."""
    session = await gateway.session()
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        await ws.send({"type": "message.send", "client_id": "healthy", "text": "still there?"})
        assert (await ws.recv_until("ack"))["client_id"] == "healthy"


async def _stored(nc: nats.NATS, session: dict) -> int:
    pattern = conversation_pattern(Channel.CONV, "acme", session["conversation_id"])
    info = await nc.jetstream().stream_info("SB_CONV", subjects_filter=pattern)
    return sum((info.state.subjects or {}).values())


@pytest.mark.parametrize(
    ("frame", "code", "ref"),
    [
        ("{not json", "bad_json", None),
        (b"\xff\x00binary", "bad_json", None),
        ("[1, 2, 3]", "unknown_type", None),
        ('{"type": "rm -rf"}', "unknown_type", None),
        ('{"type": "message.send", "client_id": "c-1"}', "invalid_frame", "c-1"),
        ('{"type": "feedback", "message_id": "m", "rating": 5}', "invalid_frame", None),
        (json.dumps({"type": "message.send", "client_id": "c-2", "text": "x" * 8001}), "too_long", "c-2"),
        ('{"type": ["message.send"], "client_id": "c-5", "text": "hi"}', "unknown_type", None),
        ('{"type": {"message.send": 1}}', "unknown_type", None),
        (
            '{"type": "widget.action", "action_id": "a-1", "name": "n", "value": ' + "[" * 5000 + "]" * 5000 + "}",
            "bad_json",
            None,
        ),
        (
            json.dumps({"type": "widget.action", "action_id": "a-2", "name": "n", "value": _nested(200)}),
            "invalid_frame",
            "a-2",
        ),
        ('{"type": "message.send", "client_id": "\\ud800c", "text": "hi"}', "invalid_text", "\\ud800c"),
        ('{"type": "widget.action", "action_id": "\\udfff", "name": "n"}', "invalid_text", "\\udfff"),
        (json.dumps({"type": "message.send", "client_id": "c-3", "text": "nul \u0000 here"}), "invalid_text", "c-3"),
        ('{"type": "message.send", "client_id": "c-4", "text": "half \\ud83d a smiley"}', "invalid_text", "c-4"),
        (
            json.dumps({"type": "widget.action", "action_id": "a-3", "name": "n", "value": {"k\u0000": 1}}),
            "invalid_text",
            "a-3",
        ),
        (
            json.dumps({"type": "widget.action", "action_id": "a-4", "name": "n", "value": ["ok", "\u0000"]}),
            "invalid_text",
            "a-4",
        ),
        (
            json.dumps({"type": "feedback", "message_id": "m", "rating": "up", "comment": "\u0000"}),
            "invalid_text",
            None,
        ),
        (json.dumps({"type": "handoff.ask", "reason": "\u0000"}), "invalid_text", None),
    ],
    ids=[
        "bad-json",
        "binary",
        "not-object",
        "unknown-type",
        "missing-text",
        "bad-rating",
        "too-long",
        "type-list",
        "type-object",
        "nested-past-the-parser",
        "nested-action-value",
        "surrogate-client-id",
        "surrogate-action-id",
        "nul-text",
        "surrogate-text",
        "nul-value-key",
        "nul-value",
        "nul-comment",
        "nul-reason",
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_keeps_serving(
    gateway: GatewayClient,
    nats_client: nats.NATS,
    frame: str | bytes,
    code: str,
    ref: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    session = await gateway.session()
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        await ws.send(frame)
        error = await ws.recv_until("error")
        await ws.send({"type": "ping"})
        await ws.recv_until("pong")
    assert error["code"] == code
    assert error["message"]
    assert error.get("ref") == ref
    assert await _stored(nats_client, session) == 0
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    await assert_healthy(gateway)


async def test_oversized_frame_closes_1009(gateway: GatewayClient) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        await ws.send({"type": "message.send", "client_id": "big", "text": "x" * 13000})
        code, reason = await ws.closed()
    assert code == 1009
    assert "12000" in reason
    await assert_healthy(gateway)


async def test_frames_beyond_the_bucket_are_dropped_with_rate_limited(
    gateway: GatewayClient, nats_client: nats.NATS
) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        for _ in range(5):  # the burst
            await ws.send({"type": "ping"})
        await ws.send({"type": "message.send", "client_id": "too-fast", "text": "hello"})
        error = await ws.recv_until("error")
        pongs = [await ws.recv_until("pong") for _ in range(5)]
    assert (error["code"], error["ref"], error["retry_after"]) == ("rate_limited", "too-fast", 1)
    assert len(pongs) == 5
    assert "ack" not in [f["type"] for f in ws.skipped]
    assert await _stored(nats_client, session) == 0  # dropped, not published
    await assert_healthy(gateway)


async def test_sustained_flood_closes_1008(gateway: GatewayClient) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        for _ in range(50):
            try:
                await ws.send({"type": "typing", "on": True})
            except Exception:
                break
        code, reason = await ws.closed()
    assert code == 1008
    assert "flood" in reason
    assert any(f.get("code") == "rate_limited" for f in ws.skipped)
    await assert_healthy(gateway)


async def test_a_socket_that_does_not_read_is_closed_not_waited_for(
    gateway: GatewayClient, broker: NatsBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "MAX_QUEUE", 8)
    session = await gateway.session()
    conv = session["conversation_id"]
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        chunk = "x" * 8000
        # Far more than the socket buffers hold while the client reads nothing.
        for i in range(3000):
            await emit(
                broker, MessageDelta(tenant_id="acme", conversation_id=conv, message_id="m", offset=i, text=chunk)
            )
            if ws.ws.close_code is not None:
                break
        code, _ = await ws.closed()
    assert code == 1013
    await assert_healthy(gateway)
