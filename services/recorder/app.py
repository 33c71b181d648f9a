"""The recorder service: its consumers, and a lifespan that migrates (embedded) and owns the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream import FastStream
from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from services.recorder.handlers import policy_from, start_consumers, stop_consumers
from shared.bus import ensure_streams, make_broker
from shared.consumer import BatchConsumer
from shared.db.engine import is_sqlite, make_engine, make_sessionmaker
from shared.db.migrate import upgrade_head
from shared.settings import Settings


async def prepare(settings: Settings, broker: NatsBroker) -> None:
    """Embedded mode has no prestart container: the recorder brings SQLite to head itself."""
    if is_sqlite(settings.database_url):
        await upgrade_head(settings.database_url)
    await broker.connect()
    await ensure_streams(broker.connection.jetstream())


async def start(settings: Settings, broker: NatsBroker, engine: AsyncEngine) -> list[BatchConsumer]:
    return await start_consumers(broker.connection.jetstream(), make_sessionmaker(engine), policy_from(settings))


def create_app(settings: Settings) -> FastStream:
    engine = make_engine(settings.database_url)
    broker = make_broker(settings)
    consumers: list[BatchConsumer] = []

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await prepare(settings, broker)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastStream(broker, lifespan=lifespan)

    @app.after_startup
    async def start_recording() -> None:
        consumers.extend(await start(settings, broker, engine))

    @app.on_shutdown
    async def stop_recording() -> None:
        await stop_consumers(consumers)

    return app


@asynccontextmanager
async def running(settings: Settings, engine: AsyncEngine) -> AsyncIterator[list[BatchConsumer]]:
    """A started recorder without the FastStream app around it (tests, the in-process runner)."""
    broker = make_broker(settings)
    await prepare(settings, broker)
    await broker.start()
    consumers = await start(settings, broker, engine)
    try:
        yield consumers
    finally:
        await stop_consumers(consumers)
        await broker.stop()
