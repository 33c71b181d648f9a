"""A handoff request the service cannot process: a few tries, then SB_DLQ; never the server's silent drop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

import handoff.handlers
from handoff.config import HandoffSettings
from handoff.handlers import (
    ACTIVITY_DURABLE,
    DURABLES,
    MOODS_DURABLE,
    REPLIES_DURABLE,
    REQUESTS_DURABLE,
    WEBHOOKS_DURABLE,
)
from shared import dlq, redelivery
from shared.events import HandoffRequested
from shared.settings import Settings
from shared.subjects import Channel, dlq_pattern, kind_pattern, subject
from tests.guards.sentiment.test_poison import letter_of
from tests.handoff.conftest import Service, Tenants, start_service
from tests.handoff.test_flow import go_online, publish

pytestmark = pytest.mark.connected


async def test_a_handoff_request_that_keeps_failing_is_dead_lettered_and_the_next_one_served(
    service: Service,
    api,  # type: ignore[no-untyped-def]
    tenants: Tenants,
    nats_client: nats.NATS,
    feed_for,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(redelivery, "MAX_TRIES", 3)
    monkeypatch.setattr(redelivery, "RETRY_DELAY_S", 0.05)
    t, broken, fine = tenants.main, uuid.uuid4().hex, uuid.uuid4().hex
    tries: list[str] = []
    request = handoff.handlers.request_handoff

    async def breaks_on_one(h, event: HandoffRequested) -> None:  # type: ignore[no-untyped-def]
        if event.conversation_id == broken:
            tries.append(event.id)
            raise ValueError("cannot handle this one")
        await request(h, event)

    monkeypatch.setattr(handoff.handlers, "request_handoff", breaks_on_one)
    letters: asyncio.Queue[nats.aio.msg.Msg] = asyncio.Queue()

    async def on_letter(msg: nats.aio.msg.Msg) -> None:
        await letters.put(msg)

    await nats_client.subscribe(dlq_pattern(REQUESTS_DURABLE), cb=on_letter)
    await nats_client.flush()
    widget = await feed_for(t, fine)
    await go_online(api, tenants, "alice")
    caplog.set_level(logging.INFO)

    poison = HandoffRequested(tenant_id=t, conversation_id=broken, trigger="visitor")
    await publish(nats_client, poison)
    letter = await letter_of(letters, poison.id.encode())
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=fine, trigger="visitor"))
    await widget.wait(lambda e: e["type"] == "handoff.queued")

    assert tries == [poison.id] * 3
    headers = letter.headers or {}
    assert (headers[dlq.CONSUMER], headers[dlq.DELIVERIES]) == (REQUESTS_DURABLE, "3")
    assert headers[dlq.ERROR] == "ValueError: cannot handle this one"
    assert headers[dlq.ORIGINAL_PREFIX + "Nats-Msg-Id"] == poison.id
    assert all(r.exc_info is None for r in caplog.records if r.levelno >= logging.WARNING)
    assert sum("dead-lettered" in (m := r.getMessage()) and broken in m for r in caplog.records) == 1


async def test_a_handoff_request_that_does_not_decode_is_dead_lettered_at_once(
    service: Service, tenants: Tenants, nats_client: nats.NATS
) -> None:
    letters: asyncio.Queue[nats.aio.msg.Msg] = asyncio.Queue()

    async def on_letter(msg: nats.aio.msg.Msg) -> None:
        await letters.put(msg)

    await nats_client.subscribe(dlq_pattern(REQUESTS_DURABLE), cb=on_letter)
    await nats_client.flush()
    junk = b'{"type": "handoff.requested", "trigger": ["not", "a", "trigger"]}'
    where = subject(Channel.OPS, tenants.main, uuid.uuid4().hex, "handoff.requested")
    await nats_client.jetstream().publish(where, junk)
    letter = await letter_of(letters, junk)
    assert letter.data == junk
    assert ((letter.headers or {})[dlq.CONSUMER], (letter.headers or {})[dlq.DELIVERIES]) == (REQUESTS_DURABLE, "1")


async def test_a_durable_an_older_build_made_with_a_delivery_limit_loses_it(
    service_settings: Settings, handoff_config: HandoffSettings, nats_client: nats.NATS
) -> None:
    """At the limit the server drops a message silently: the service lifts it when it starts."""
    js = nats_client.jetstream()
    filters = {
        REQUESTS_DURABLE: kind_pattern(Channel.OPS, "handoff.requested"),
        ACTIVITY_DURABLE: kind_pattern(Channel.CONV, "message.user"),
        WEBHOOKS_DURABLE: kind_pattern(Channel.OPS, "handoff.state"),
        REPLIES_DURABLE: kind_pattern(Channel.CONV, "message.completed"),
        MOODS_DURABLE: kind_pattern(Channel.OPS, "sentiment.scored"),
    }
    for stream, durable in DURABLES:
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(stream, durable)
        new_only = (ACTIVITY_DURABLE, REPLIES_DURABLE, MOODS_DURABLE)
        policy = DeliverPolicy.NEW if durable in new_only else DeliverPolicy.ALL
        config = ConsumerConfig(
            durable_name=durable, max_deliver=3, filter_subject=filters[durable], deliver_policy=policy
        )
        await js.add_consumer(stream, config=config)
    service = await start_service(service_settings, handoff_config)
    try:
        for stream, durable in DURABLES:
            assert (await js.consumer_info(stream, durable)).config.max_deliver == -1
    finally:
        await service.stop()
