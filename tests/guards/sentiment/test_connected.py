"""The monitor against a real nats-server: durable consumer, KV mood, handoff requests on sb.ops."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import nats
import pytest
from faststream.nats import NatsBroker
from nats.js.errors import BucketNotFoundError

from guards.sentiment import running
from shared.bus import emit, make_broker
from shared.events import HandoffRequested, SentimentScored, UserMessage, parse_event
from shared.settings import Settings
from shared.subjects import HANDOFF_BUCKET, OPS_STREAM, Channel, conversation_pattern, handoff_record_key, subject
from tests.guards.sentiment.test_service import tenants

pytestmark = pytest.mark.connected
TIMEOUT = 10.0


@pytest.fixture
async def gateway(connected_settings: Settings) -> AsyncIterator[NatsBroker]:
    """Plays the gateway: publishes visitor messages through shared.bus.emit."""
    broker = make_broker(connected_settings)
    await broker.connect()
    yield broker
    await broker.stop()


async def ops_of(nc: nats.NATS, conversation_id: str) -> asyncio.Queue[object]:
    queue: asyncio.Queue[object] = asyncio.Queue()

    async def on(msg) -> None:  # type: ignore[no-untyped-def]
        await queue.put(parse_event(msg.data))

    await nc.subscribe(conversation_pattern(Channel.OPS, "acme", conversation_id), cb=on)
    await nc.flush()
    return queue


async def say(broker: NatsBroker, conversation_id: str, text: str) -> str:
    message_id = uuid.uuid4().hex
    await emit(broker, UserMessage(tenant_id="acme", conversation_id=conversation_id, message_id=message_id,
                                   client_id=message_id, visitor_id="v1", text=text))  # fmt: skip
    return message_id


async def next_of(queue: asyncio.Queue[object], kind: type) -> object:
    while True:
        event = await asyncio.wait_for(queue.get(), TIMEOUT)
        if isinstance(event, kind):
            return event


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("This is ridiculous, I've waited three weeks for my refund!", "sentiment"),
        ("this is fucking useless", "sentiment"),
        ("Can I talk to a human please?", "keyword"),
    ],
)
async def test_handoff_requested_on_ops(
    connected_settings: Settings,
    nats_client: nats.NATS,
    gateway: NatsBroker,
    conversation_id: str,
    text: str,
    trigger: str,
) -> None:
    ops = await ops_of(nats_client, conversation_id)
    async with running(connected_settings, rules=tenants()):
        neutral = await say(gateway, conversation_id, "How long does shipping take?")
        scored = await next_of(ops, SentimentScored)
        message_id = await say(gateway, conversation_id, text)
        request = await next_of(ops, HandoffRequested)
    assert scored.message_id == neutral  # type: ignore[attr-defined]
    assert scored.handoff is False  # type: ignore[attr-defined]
    assert request.trigger == trigger  # type: ignore[attr-defined]
    assert request.id == f"handoff-{message_id}"  # type: ignore[attr-defined]


async def test_repeated_question_is_remembered_across_a_restart(
    connected_settings: Settings, nats_client: nats.NATS, gateway: NatsBroker, conversation_id: str
) -> None:
    ops = await ops_of(nats_client, conversation_id)
    async with running(connected_settings, rules=tenants(repeated_failures=4)):
        await say(gateway, conversation_id, "How do I reset my password?")
        first = await next_of(ops, SentimentScored)
    # A new monitor process: the mood and the earlier questions come from the KV bucket.
    async with running(connected_settings, rules=tenants(repeated_failures=4)):
        await say(gateway, conversation_id, "how can I reset my password")
        second = await next_of(ops, SentimentScored)
        await say(gateway, conversation_id, "That's not what I asked.")
        request = await next_of(ops, HandoffRequested)
    assert first.signals == []  # type: ignore[attr-defined]
    assert "repeated_question" in second.signals  # type: ignore[attr-defined]
    assert second.handoff is False  # type: ignore[attr-defined]
    assert request.trigger == "sentiment"  # type: ignore[attr-defined]


async def test_messages_sent_while_the_monitor_is_down_are_scored_when_it_returns(
    connected_settings: Settings, nats_client: nats.NATS, gateway: NatsBroker, conversation_id: str
) -> None:
    ops = await ops_of(nats_client, conversation_id)
    async with running(connected_settings, rules=tenants()):
        pass  # creates the durable consumer
    message_id = await say(gateway, conversation_id, "I want to speak to a real person.")
    async with running(connected_settings, rules=tenants()):
        request = await next_of(ops, HandoffRequested)
    assert request.id == f"handoff-{message_id}"  # type: ignore[attr-defined]


async def test_fifty_angry_messages_are_one_handoff_request(
    connected_settings: Settings, nats_client: nats.NATS, gateway: NatsBroker, conversation_id: str
) -> None:
    ops = await ops_of(nats_client, conversation_id)
    async with running(connected_settings, rules=tenants()):
        for _ in range(50):
            await say(gateway, conversation_id, "This is ridiculous, unacceptable service!!!")
        events = [await next_of(ops, SentimentScored) for _ in range(50)]
    requests = subject(Channel.OPS, "acme", conversation_id, "handoff.requested")
    info = await nats_client.jetstream().stream_info(OPS_STREAM, subjects_filter=requests)
    assert (info.state.subjects or {}).get(requests) == 1
    assert sum(e.handoff for e in events) == 1  # type: ignore[attr-defined]


async def test_no_request_while_the_handoff_service_has_it_queued(
    connected_settings: Settings, nats_client: nats.NATS, gateway: NatsBroker, conversation_id: str
) -> None:
    js = nats_client.jetstream()
    try:
        kv = await js.key_value(HANDOFF_BUCKET)
    except BucketNotFoundError:
        kv = await js.create_key_value(bucket=HANDOFF_BUCKET, history=1)
    # A whole record, as the handoff service writes it (its store reads every record at startup).
    record = {"tenant_id": "acme", "conversation_id": conversation_id, "state": "queued"}
    await kv.put(handoff_record_key("acme", conversation_id), json.dumps(record).encode())
    ops = await ops_of(nats_client, conversation_id)
    async with running(connected_settings, rules=tenants(request_window_s=0)):
        await say(gateway, conversation_id, "I want to talk to a human, this is useless!!!")
        scored = await next_of(ops, SentimentScored)
        await kv.put(handoff_record_key("acme", conversation_id), json.dumps(record | {"state": "ai"}).encode())
        await say(gateway, conversation_id, "I want to talk to a human, this is useless!!!")
        request = await next_of(ops, HandoffRequested)
    assert scored.handoff is False  # type: ignore[attr-defined]
    assert request.trigger == "keyword"  # type: ignore[attr-defined]
