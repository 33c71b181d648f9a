"""A visitor message that does not decode: dead-lettered at once, not redelivered every ack wait forever."""

from __future__ import annotations

import asyncio

import nats
import pytest
from faststream.nats import NatsBroker

from shared import dlq
from shared.bus import emit
from shared.settings import Settings
from shared.subjects import Channel, dlq_pattern, subject
from tests.guards.sentiment.test_poison import letter_of
from tests.orchestrator._helpers import watch
from tests.orchestrator.test_connected import bus, orchestrators, user  # noqa: F401

pytestmark = pytest.mark.connected


async def test_a_visitor_message_that_does_not_decode_is_dead_lettered_and_the_next_one_answered(
    connected_settings: Settings,
    nats_client: nats.NATS,
    bus: NatsBroker,  # noqa: F811
    conversation_id: str,
) -> None:
    letters: asyncio.Queue[nats.aio.msg.Msg] = asyncio.Queue()

    async def on_letter(msg: nats.aio.msg.Msg) -> None:
        await letters.put(msg)

    await nats_client.subscribe(dlq_pattern(), cb=on_letter)  # the test's own durable: any name
    await nats_client.flush()
    watcher = await watch(nats_client, conversation_id)
    junk = b'{"type": "message.user", "text": ["not", "text"], "conversation_id": "%s"}' % conversation_id.encode()
    async with orchestrators(connected_settings):
        await nats_client.jetstream().publish(subject(Channel.CONV, "acme", conversation_id, "message.user"), junk)
        letter = await letter_of(letters, junk)
        await emit(bus, user(conversation_id, 1, "What does express shipping cost?"))
        [completed] = await watcher.until("message.completed")

    assert letter.data == junk
    headers = letter.headers or {}
    assert headers[dlq.CONSUMER].startswith("orchestrator-test-")
    assert headers[dlq.DELIVERIES] == "1"
    assert completed.reply_to == f"{conversation_id}-m1"  # type: ignore[attr-defined]
