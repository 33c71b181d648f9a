"""The guard against a real nats-server: flags reach sb.push while the reply is still streaming."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import nats
import pytest
from faststream.nats import NatsBroker

from guards.grounding import GroundingMethod
from guards.hallucination import running
from shared.bus import emit, make_broker
from shared.events import MessageFlagged, parse_event
from shared.settings import Settings
from shared.subjects import Channel, subject
from tests.guards.replies import GROUNDED, UNGROUNDED, UNGROUNDED_SENTENCE, completed, created, rules, stream

pytestmark = pytest.mark.connected
TIMEOUT = 10.0


@pytest.fixture
async def producer(connected_settings: Settings) -> AsyncIterator[NatsBroker]:
    """Plays the orchestrator: publishes replies through shared.bus.emit."""
    broker = make_broker(connected_settings)
    await broker.connect()
    yield broker
    await broker.stop()


async def flags_of(nc: nats.NATS, conversation_id: str) -> asyncio.Queue[MessageFlagged]:
    """What a gateway would deliver: message.flagged on sb.push (republished from SB_CONV)."""
    queue: asyncio.Queue[MessageFlagged] = asyncio.Queue()

    async def on(msg) -> None:  # type: ignore[no-untyped-def]
        await queue.put(parse_event(msg.data))

    await nc.subscribe(subject(Channel.PUSH, "acme", conversation_id, "message.flagged"), cb=on)
    await nc.flush()
    return queue


def mid(conversation_id: str, name: str) -> str:
    """Message ids unique across tests: flag ids derive from them and JetStream drops repeats."""
    return f"{conversation_id}-{name}"


async def stream_reply(broker: NatsBroker, conversation_id: str, message_id: str, text: str) -> None:
    await emit(broker, created(conversation_id, message_id))
    for delta in stream(conversation_id, message_id, text):
        await emit(broker, delta)


async def test_flag_arrives_before_the_reply_completes(
    connected_settings: Settings, nats_client: nats.NATS, producer: NatsBroker, conversation_id: str
) -> None:
    flags = await flags_of(nats_client, conversation_id)
    async with running(connected_settings, method=GroundingMethod(), rules=rules()):
        await stream_reply(producer, conversation_id, mid(conversation_id, "m1"), UNGROUNDED)
        flag = await asyncio.wait_for(flags.get(), TIMEOUT)  # MessageCompleted not published yet
        await emit(producer, completed(conversation_id, mid(conversation_id, "m1"), UNGROUNDED))
    assert flag.message_id == mid(conversation_id, "m1")
    assert flag.sentence == UNGROUNDED_SENTENCE
    assert UNGROUNDED[flag.start : flag.end] == UNGROUNDED_SENTENCE
    assert flag.seq is None or flag.seq > 0
    assert (flag.action, flag.method) == ("flag", "grounding")


async def test_grounded_reply_gets_no_flag(
    connected_settings: Settings, nats_client: nats.NATS, producer: NatsBroker, conversation_id: str
) -> None:
    flags = await flags_of(nats_client, conversation_id)
    async with running(connected_settings, method=GroundingMethod(), rules=rules()):
        await stream_reply(producer, conversation_id, mid(conversation_id, "good"), GROUNDED)
        await emit(producer, completed(conversation_id, mid(conversation_id, "good"), GROUNDED))
        # Then an ungrounded reply: its flag must be the first one to arrive.
        await stream_reply(producer, conversation_id, mid(conversation_id, "bad"), UNGROUNDED)
        first = await asyncio.wait_for(flags.get(), TIMEOUT)
    assert first.message_id == mid(conversation_id, "bad")


async def test_replace_policy_sends_the_replacement(
    connected_settings: Settings, nats_client: nats.NATS, producer: NatsBroker, conversation_id: str
) -> None:
    flags = await flags_of(nats_client, conversation_id)
    async with running(connected_settings, method=GroundingMethod(), rules=rules("replace")):
        await stream_reply(producer, conversation_id, mid(conversation_id, "m1"), UNGROUNDED)
        flag = await asyncio.wait_for(flags.get(), TIMEOUT)
    assert flag.action == "replace"
    assert flag.replacement == "Sale items cannot be returned."


async def test_two_replicas_flag_each_sentence_once(
    connected_settings: Settings, nats_client: nats.NATS, producer: NatsBroker, conversation_id: str
) -> None:
    flags = await flags_of(nats_client, conversation_id)
    kwargs = {"method": GroundingMethod(), "rules": rules()}
    async with (
        running(connected_settings, **kwargs),
        running(connected_settings, **kwargs),
    ):
        for message_id in ("m1", "m2"):
            await stream_reply(producer, conversation_id, mid(conversation_id, message_id), UNGROUNDED)
            await emit(producer, completed(conversation_id, mid(conversation_id, message_id), UNGROUNDED))
        got = [await asyncio.wait_for(flags.get(), TIMEOUT) for _ in range(2)]
    assert [f.message_id for f in got] == [mid(conversation_id, "m1"), mid(conversation_id, "m2")]
