"""A visitor message the monitor cannot score: a few tries, then SB_DLQ, one line, never a loop."""

from __future__ import annotations

import asyncio
import logging

import nats
import pytest
from faststream.nats import NatsBroker

from guards.sentiment import running
from guards.sentiment.handlers import DURABLE
from guards.sentiment.service import SentimentMonitor
from shared import dlq, redelivery
from shared.events import SentimentScored, UserMessage
from shared.settings import Settings
from shared.subjects import Channel, dlq_pattern, subject
from tests.guards.sentiment.test_connected import gateway, next_of, ops_of, say  # noqa: F401
from tests.guards.sentiment.test_service import tenants

pytestmark = pytest.mark.connected
POISON = "this text breaks the scorer"


async def letter_of(letters: asyncio.Queue[nats.aio.msg.Msg], part: bytes) -> nats.aio.msg.Msg:
    """The dead letter holding ``part`` (the shared durable also dead-letters other tests' junk)."""

    async def wait() -> nats.aio.msg.Msg:
        while part not in (letter := await letters.get()).data:
            pass
        return letter

    return await asyncio.wait_for(wait(), 15)


async def test_a_message_the_monitor_cannot_score_is_dead_lettered_and_the_next_one_scored(
    connected_settings: Settings,
    nats_client: nats.NATS,
    gateway: NatsBroker,  # noqa: F811
    conversation_id: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(redelivery, "MAX_TRIES", 3)
    monkeypatch.setattr(redelivery, "RETRY_DELAY_S", 0.05)
    tries: list[str] = []
    process = SentimentMonitor.process

    async def breaks_on_poison(self: SentimentMonitor, message: UserMessage) -> list[object]:
        if message.text == POISON:
            tries.append(message.message_id)
            raise ValueError("cannot score this")
        return await process(self, message)  # type: ignore[return-value]

    monkeypatch.setattr(SentimentMonitor, "process", breaks_on_poison)
    letters: asyncio.Queue[nats.aio.msg.Msg] = asyncio.Queue()

    async def on_letter(msg: nats.aio.msg.Msg) -> None:
        await letters.put(msg)

    await nats_client.subscribe(dlq_pattern(DURABLE), cb=on_letter)
    await nats_client.flush()
    ops = await ops_of(nats_client, conversation_id)
    caplog.set_level(logging.INFO)
    async with running(connected_settings, rules=tenants()):
        poison_id = await say(gateway, conversation_id, POISON)
        letter = await letter_of(letters, poison_id.encode())
        await say(gateway, conversation_id, "How long does shipping take?")
        scored = await next_of(ops, SentimentScored)

    assert tries == [poison_id] * 3  # three tries, then given up: not retried forever
    headers = letter.headers or {}
    assert (headers[dlq.CONSUMER], headers[dlq.DELIVERIES]) == (DURABLE, "3")
    assert headers[dlq.ERROR] == "ValueError: cannot score this"
    assert poison_id.encode() in letter.data
    assert scored.message_id != poison_id  # type: ignore[attr-defined]
    # One line per try and one for the dead letter; never a traceback.
    assert all(r.exc_info is None for r in caplog.records if r.levelno >= logging.WARNING)
    assert sum("dead-lettered" in (m := r.getMessage()) and conversation_id in m for r in caplog.records) == 1


async def test_a_message_that_is_no_visitor_message_is_dead_lettered_at_once(
    connected_settings: Settings,
    nats_client: nats.NATS,
    gateway: NatsBroker,  # noqa: F811
    conversation_id: str,
) -> None:
    """FastStream validates the body before the handler: nacked, it came back ~700 times a second, forever."""
    letters: asyncio.Queue[nats.aio.msg.Msg] = asyncio.Queue()

    async def on_letter(msg: nats.aio.msg.Msg) -> None:
        await letters.put(msg)

    await nats_client.subscribe(dlq_pattern(DURABLE), cb=on_letter)
    await nats_client.flush()
    ops = await ops_of(nats_client, conversation_id)
    js = nats_client.jetstream()
    junk = b'{"type": "message.user", "nonsense": 1, "conversation_id": "%s"}' % conversation_id.encode()
    async with running(connected_settings, rules=tenants()):
        await js.publish(subject(Channel.CONV, "acme", conversation_id, "message.user"), junk)
        letter = await letter_of(letters, junk)
        message_id = await say(gateway, conversation_id, "How long does shipping take?")
        scored = await next_of(ops, SentimentScored)

    assert letter.data == junk
    headers = letter.headers or {}
    assert (headers[dlq.CONSUMER], headers[dlq.DELIVERIES]) == (DURABLE, "1")
    assert scored.message_id == message_id  # type: ignore[attr-defined]
