"""NATS restarts under open sockets: what was published while the gateway was away still arrives."""

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats.errors
import nats.js.errors
import pytest
from faststream.nats import NatsBroker

from gateway import socket
from services.nats_embedded import EmbeddedNats
from shared.bus import emit, ensure_streams, make_broker
from shared.events import Notice
from shared.settings import Settings
from tests.gateway.conftest import GatewayClient

pytestmark = pytest.mark.connected


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A server of this test's own: restarting the shared one would disturb other tests."""
    server = EmbeddedNats(store_dir=tmp_path / "js", log_file=tmp_path / "nats.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def gateway_settings(gateway_settings: Settings, own_nats: EmbeddedNats) -> Settings:
    return gateway_settings.model_copy(update={"nats_url": own_nats.url})


@contextlib.asynccontextmanager
async def fresh_broker(settings: Settings) -> AsyncIterator[NatsBroker]:
    broker = make_broker(settings)
    await broker.connect()
    try:
        yield broker
    finally:
        await broker.stop()


@pytest.fixture
async def publisher(gateway_settings: Settings) -> AsyncIterator[NatsBroker]:
    async with fresh_broker(gateway_settings) as broker:
        await ensure_streams(broker.config.connection_state.stream)
        yield broker


async def _emit_when_ready(broker: NatsBroker, event: Notice) -> int:
    """Publish once JetStream has recovered its streams after the restart (bounded retries)."""
    for _ in range(100):
        try:
            seq = await emit(broker, event)
        except (nats.errors.Error, nats.js.errors.Error, TimeoutError):
            continue
        assert seq is not None
        return seq
    raise AssertionError("Expected JetStream to accept a publish after the restart, it never did")


async def test_sockets_recover_what_was_published_while_nats_was_down(
    gateway: GatewayClient, publisher: NatsBroker, own_nats: EmbeddedNats, gateway_settings: Settings
) -> None:
    session = await gateway.session()
    ids = {"tenant_id": "acme", "conversation_id": session["conversation_id"]}
    async with gateway.socket(session["token"], after_seq=0) as seen_one:
        await seen_one.recv_until("resumed")
        before = await emit(publisher, Notice(**ids, code="t", text="before"))
        assert (await seen_one.recv_until("notice"))["seq"] == before
        # A socket that has seen nothing durable yet recovers from when it opened.
        async with gateway.socket(session["token"]) as fresh:
            await fresh.recv_until("hello")
            own_nats.stop()
            own_nats.start()
            # A fresh connection publishes at once, while the gateway still waits to reconnect,
            # so this event reaches no live subscription: only recovery can deliver it.
            async with fresh_broker(gateway_settings) as quick:
                during = await _emit_when_ready(quick, Notice(**ids, code="t", text="during"))
            for ws in (seen_one, fresh):
                notice = await ws.recv_until("notice")
                assert (notice["seq"], notice["text"]) == (during, "during")
            after = await emit(publisher, Notice(**ids, code="t", text="after"))
            for ws in (seen_one, fresh):
                assert (await ws.recv_until("notice"))["seq"] == after
                assert [f for f in ws.skipped if f["type"] == "notice"] == []  # no duplicates


async def test_a_message_sent_while_nats_is_down_is_refused_by_id_and_taken_after(
    gateway: GatewayClient, own_nats: EmbeddedNats, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "PUBLISH_TIMEOUT_S", 0.5)
    session = await gateway.session()
    frame = {"type": "message.send", "client_id": "while-down", "text": "anyone there?"}
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        own_nats.stop()
        await ws.send(frame)
        error = await ws.recv_until("error")
        own_nats.start()
        # The widget resends the same client_id (here: until the gateway has reconnected).
        for _ in range(50):
            await ws.send(frame)
            reply = await ws.recv()
            while reply["type"] not in ("ack", "error"):
                reply = await ws.recv()
            if reply["type"] == "ack":
                break
    assert (error["code"], error["ref"]) == ("unavailable", "while-down")
    assert (reply["type"], reply["client_id"]) == ("ack", "while-down")
