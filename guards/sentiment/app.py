"""The sentiment-monitor service: broker, handlers and a lifespan that opens the mood bucket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream import FastStream
from faststream.nats import NatsBroker
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError

from guards.sentiment.handlers import register_handlers
from guards.sentiment.handoffs import KvHandoffStates
from guards.sentiment.service import SentimentMonitor
from guards.sentiment.store import SENTIMENT_BUCKET, KvMoodStore, MemoryMoodStore, MoodStore
from guards.tenancy import TenantRules
from shared.bus import RETENTION_S, ensure_streams, make_broker, nats_replicas
from shared.languages import warm
from shared.redelivery import DeadLetterUndecodable
from shared.settings import Settings, get_settings


def create_broker(
    settings: Settings, *, store: MoodStore | None = None, rules: TenantRules | None = None
) -> tuple[NatsBroker, SentimentMonitor]:
    """``store`` None means the KV bucket, opened by connect()."""
    warm(settings.guard_languages)  # now, never on a check: loading a dictionary holds the GIL for seconds
    broker = make_broker(settings, middlewares=(DeadLetterUndecodable,))
    monitor = SentimentMonitor(store or MemoryMoodStore(), rules or TenantRules.from_settings(settings))
    register_handlers(broker, monitor)
    return broker, monitor


async def open_bucket(js: JetStreamContext) -> KvMoodStore:
    try:
        kv = await js.key_value(SENTIMENT_BUCKET)
    except BucketNotFoundError:
        kv = await js.create_key_value(
            KeyValueConfig(
                bucket=SENTIMENT_BUCKET,
                description="Rolling mood per conversation (guards.sentiment).",
                history=1,
                ttl=RETENTION_S,
                storage=StorageType.FILE,
                replicas=nats_replicas(),
            )
        )
    return KvMoodStore(kv)


async def connect(broker: NatsBroker, monitor: SentimentMonitor) -> None:
    await broker.connect()
    js = broker.connection.jetstream()
    await ensure_streams(js)
    monitor.store = await open_bucket(js)
    monitor.handoffs = KvHandoffStates(js)
    await monitor.rules.follow(js)


def create_app(settings: Settings | None = None, **kwargs: object) -> FastStream:
    broker, monitor = create_broker(settings or get_settings(), **kwargs)  # type: ignore[arg-type]

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await connect(broker, monitor)
        yield
        await monitor.rules.aclose()

    app = FastStream(broker, lifespan=lifespan)
    app.monitor = monitor  # type: ignore[attr-defined]
    return app


@asynccontextmanager
async def running(settings: Settings, **kwargs: object) -> AsyncIterator[SentimentMonitor]:
    """A started monitor on the real bus without the FastStream app around it (tests, the bench)."""
    broker, monitor = create_broker(settings, **kwargs)  # type: ignore[arg-type]
    await connect(broker, monitor)
    await broker.start()
    await broker.connection.flush()  # our subscriptions are registered before the caller publishes
    try:
        yield monitor
    finally:
        await monitor.rules.aclose()
        await broker.stop()
