"""The recorder service: broker, handlers, and a lifespan that migrates (embedded) and owns the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream import FastStream
from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from services.recorder.handlers import register_handlers
from shared.bus import ensure_streams, make_broker
from shared.db.engine import is_sqlite, make_engine, make_sessionmaker
from shared.db.migrate import upgrade_head
from shared.settings import Settings


def create_broker(settings: Settings, engine: AsyncEngine) -> NatsBroker:
    broker = make_broker(settings)
    register_handlers(broker, make_sessionmaker(engine))
    return broker


async def prepare(settings: Settings, broker: NatsBroker) -> None:
    """Embedded mode has no prestart container: the recorder brings SQLite to head itself."""
    if is_sqlite(settings.database_url):
        await upgrade_head(settings.database_url)
    await broker.connect()
    await ensure_streams(broker.connection.jetstream())


def create_app(settings: Settings) -> FastStream:
    engine = make_engine(settings.database_url)
    broker = create_broker(settings, engine)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await prepare(settings, broker)
        try:
            yield
        finally:
            await engine.dispose()

    return FastStream(broker, lifespan=lifespan)


@asynccontextmanager
async def running(settings: Settings, engine: AsyncEngine) -> AsyncIterator[NatsBroker]:
    """A started recorder without the FastStream app around it (tests, the in-process runner)."""
    broker = create_broker(settings, engine)
    await prepare(settings, broker)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()
