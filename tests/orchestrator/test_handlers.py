"""The bus handlers in memory (TestNatsBroker): thin adapters over turns.py."""

import asyncio
from typing import Any

from faststream.nats import TestNatsBroker

from orchestrator.app import create_broker
from orchestrator.config import OrchestratorSettings
from shared.bus import CONV_JSTREAM, emit
from shared.events import parse_event
from shared.settings import Settings
from shared.subjects import Channel, conversation_pattern, subject
from tests.fakes.scripted_provider import ScriptedProvider
from tests.orchestrator._helpers import user_message


async def test_user_message_is_answered_on_the_bus(settings: Settings, conversation_id: str) -> None:
    provider = ScriptedProvider("Express costs $14.95.")
    broker, _ = create_broker(settings, OrchestratorSettings(word_delay_s=0), provider=provider)
    seen: list[Any] = []
    completed = asyncio.Event()

    # In memory, events published to a stream reach only subscribers bound to that stream.
    @broker.subscriber(conversation_pattern(Channel.CONV, "acme", conversation_id), stream=CONV_JSTREAM)
    @broker.subscriber(conversation_pattern(Channel.PUSH, "acme", conversation_id))
    async def watch(body: dict[str, Any]) -> None:
        event = parse_event(body)
        seen.append(event)
        if event.type == "message.completed":
            completed.set()

    async with TestNatsBroker(broker):
        await emit(broker, user_message(conversation_id, 1))
        await asyncio.wait_for(completed.wait(), 5)

    kinds = [e.type for e in seen if e.type not in ("message.user", "typing")]
    assert kinds[0] == "message.created"
    assert kinds[-1] == "message.completed"
    assert "".join(e.text for e in seen if e.type == "message.delta") == "Express costs $14.95."
    [completed_event] = [e for e in seen if e.type == "message.completed"]
    assert completed_event.text == "Express costs $14.95."
    assert completed_event.sources  # retrieved from the acme knowledge base


async def test_handoff_accepted_cancels_the_streaming_reply(settings: Settings, conversation_id: str) -> None:
    provider = ScriptedProvider("one two three four", pause_after=2)
    # One delta per chunk: the reply is cut at an exact chunk (batching is tested in test_batching).
    options = OrchestratorSettings(word_delay_s=0, delta_interval_s=0)
    broker, orch = create_broker(settings, options, provider=provider)
    cancelled: asyncio.Queue[Any] = asyncio.Queue()

    @broker.subscriber(conversation_pattern(Channel.CONV, "acme", conversation_id), stream=CONV_JSTREAM)
    async def watch(body: dict[str, Any]) -> None:
        if body["type"] in ("message.cancelled", "message.completed"):
            await cancelled.put(parse_event(body))

    async with TestNatsBroker(broker):
        publishing = asyncio.create_task(emit(broker, user_message(conversation_id, 1)))
        await asyncio.wait_for(provider.paused.wait(), 5)
        await broker.publish(
            {"type": "handoff.accepted", "tenant_id": "acme", "conversation_id": conversation_id},
            subject(Channel.PUSH, "acme", conversation_id, "handoff.accepted"),
        )
        event = await asyncio.wait_for(cancelled.get(), 5)
        await publishing
    assert event.type == "message.cancelled"
    assert event.reason == "agent_joined"
    assert event.text == "one two"
    assert orch.registry.get("acme", conversation_id) is None
