"""The workers in memory (TestNatsBroker) and against a real nats-server."""

import asyncio
import uuid
from typing import Any

import nats
import pytest
from faststream.nats import TestNatsBroker
from nats.js.api import DeliverPolicy

from orchestrator.workers import app as workers_app
from orchestrator.workers.tasks import Workers, refresh_insights
from shared.bus import OPS_JSTREAM, emit, make_broker
from shared.events import ConversationInsights, Event, MessageCompleted, Source, UserMessage, parse_event
from shared.settings import Settings
from shared.subjects import Channel, conversation_pattern


def completed(conversation_id: str, role: str = "assistant") -> MessageCompleted:
    return MessageCompleted(
        tenant_id="acme",
        conversation_id=conversation_id,
        message_id="r1",
        role=role,  # type: ignore[arg-type]
        text="Express costs $14.95.",
        sources=[Source(id="shipping#costs", title="Shipping", snippet="...")],
    )


async def test_agent_replies_produce_no_insights() -> None:
    published: list[Event] = []

    async def publish(event: Event) -> None:
        published.append(event)

    async def read(*_: object) -> list[Event]:
        return []

    workers = Workers(read_events=read, publish=publish)
    assert await refresh_insights(workers, completed("c1", role="agent"), seq=5) is None
    assert published == []
    insights = await refresh_insights(workers, completed("c1"), seq=5)
    assert published == [insights]


async def test_completed_reply_publishes_insights_in_memory(settings: Settings, conversation_id: str) -> None:
    broker, _ = workers_app.create_broker(settings)
    got: asyncio.Queue[Any] = asyncio.Queue()

    @broker.subscriber(conversation_pattern(Channel.OPS, "acme", conversation_id), stream=OPS_JSTREAM)
    async def watch(body: dict[str, Any]) -> None:
        await got.put(parse_event(body))

    async with TestNatsBroker(broker):
        await emit(broker, completed(conversation_id))
        insights = await asyncio.wait_for(got.get(), 5)
    assert isinstance(insights, ConversationInsights)
    assert insights.tags == ["shipping"]
    assert insights.summary == "Last answer: Express costs $14.95."


@pytest.mark.connected
async def test_insights_read_the_stored_conversation(
    connected_settings: Settings, nats_client: nats.NATS, conversation_id: str
) -> None:
    got: asyncio.Queue[Event] = asyncio.Queue()

    async def on_message(msg: Any) -> None:
        await got.put(parse_event(msg.data))

    await nats_client.subscribe(conversation_pattern(Channel.OPS, "acme", conversation_id), cb=on_message)
    bus = make_broker(connected_settings)
    await bus.connect()
    durable = f"workers-test-{uuid.uuid4().hex[:8]}"
    try:
        async with workers_app.running(connected_settings, durable=durable, deliver_policy=DeliverPolicy.NEW):
            question = UserMessage(
                tenant_id="acme",
                conversation_id=conversation_id,
                message_id="m1",
                client_id="c1",
                visitor_id="v1",
                text="What does express shipping cost?",
            )
            await emit(bus, question)
            await emit(bus, completed(conversation_id))
            insights = await asyncio.wait_for(got.get(), 10)
    finally:
        await bus.stop()
    assert isinstance(insights, ConversationInsights)
    assert insights.title == "What does express shipping cost"
    assert insights.turns == 1
    assert insights.summary.startswith("Visitor asked: What does express shipping cost.")
