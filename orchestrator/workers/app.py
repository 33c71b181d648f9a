"""The workers service: broker, handlers and a lifespan that makes sure the streams exist."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream import FastStream
from faststream.nats import NatsBroker
from nats.js.api import DeliverPolicy

from orchestrator.workers.handlers import DURABLE, register_handlers
from orchestrator.workers.history import conversation_events
from orchestrator.workers.tasks import Workers
from shared.bus import emit, ensure_streams, make_broker
from shared.events import Event
from shared.settings import Settings


def create_broker(
    settings: Settings, durable: str = DURABLE, deliver_policy: DeliverPolicy = DeliverPolicy.ALL
) -> tuple[NatsBroker, Workers]:
    broker = make_broker(settings)

    async def read_events(tenant_id: str, conversation_id: str, through: int) -> list[Event]:
        return await conversation_events(broker.connection.jetstream(), tenant_id, conversation_id, through)

    async def publish(event: Event) -> object:
        return await emit(broker, event)

    workers = Workers(read_events=read_events, publish=publish)
    register_handlers(broker, workers, durable=durable, deliver_policy=deliver_policy)
    return broker, workers


def create_app(settings: Settings) -> FastStream:
    broker, _ = create_broker(settings)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await broker.connect()
        await ensure_streams(broker.connection.jetstream())
        yield

    return FastStream(broker, lifespan=lifespan)


@asynccontextmanager
async def running(settings: Settings, **kwargs: object) -> AsyncIterator[Workers]:
    """Started workers without the FastStream app around them (tests)."""
    broker, workers = create_broker(settings, **kwargs)  # type: ignore[arg-type]
    await broker.connect()
    await ensure_streams(broker.connection.jetstream())
    await broker.start()
    try:
        yield workers
    finally:
        await broker.stop()
