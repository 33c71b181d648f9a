"""The monitor on an in-memory broker: message.user in from SB_CONV, events out on SB_OPS."""

from __future__ import annotations

import asyncio

from faststream.nats import TestNatsBroker

from guards.sentiment import create_broker
from guards.sentiment.store import MemoryMoodStore
from shared.bus import OPS_JSTREAM, emit
from shared.events import HandoffRequested, SentimentScored, UserMessage
from shared.settings import Settings
from shared.subjects import Channel, kind_pattern
from tests.guards.sentiment.test_service import tenants


def visitor(conversation_id: str, n: int, text: str) -> UserMessage:
    return UserMessage(tenant_id="acme", conversation_id=conversation_id, message_id=f"{conversation_id}-{n}",
                       client_id=str(n), visitor_id="v", text=text)  # fmt: skip


async def test_scores_every_message_and_asks_for_a_human_when_angry(settings: Settings, conversation_id: str) -> None:
    broker, _ = create_broker(settings, store=MemoryMoodStore(), rules=tenants())
    scored: asyncio.Queue[SentimentScored] = asyncio.Queue()
    requests: asyncio.Queue[HandoffRequested] = asyncio.Queue()

    @broker.subscriber(kind_pattern(Channel.OPS, "sentiment.scored"), stream=OPS_JSTREAM)
    async def on_scored(event: SentimentScored) -> None:
        await scored.put(event)

    @broker.subscriber(kind_pattern(Channel.OPS, "handoff.requested"), stream=OPS_JSTREAM)
    async def on_request(event: HandoffRequested) -> None:
        await requests.put(event)

    async with TestNatsBroker(broker):
        await emit(broker, visitor(conversation_id, 1, "Do you ship to Canada?"))
        neutral = await asyncio.wait_for(scored.get(), 5)
        assert requests.empty()
        await emit(broker, visitor(conversation_id, 2, "Absolutely unacceptable, this is a scam!"))
        angry = await asyncio.wait_for(scored.get(), 5)
        request = await asyncio.wait_for(requests.get(), 5)
    assert (neutral.signals, neutral.handoff) == ([], False)
    assert "anger" in angry.signals
    assert angry.handoff is True
    assert angry.mood < neutral.mood
    assert (request.trigger, request.id) == ("sentiment", f"handoff-{conversation_id}-2")
