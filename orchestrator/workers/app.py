"""The post-reply workers service: consumers, and a lifespan owning the engine and HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from faststream import FastStream
from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from orchestrator.workers.context import Workers
from orchestrator.workers.handlers import consumers_for, register_handlers
from orchestrator.workers.llm import Summarizer, choose_summarizer
from orchestrator.workers.summaries import DigestPolicy
from orchestrator.workers.webhooks import WebhookPolicy
from shared.bus import ensure_streams, make_broker
from shared.consumer import BatchConsumer, ConsumerPolicy
from shared.db.engine import is_sqlite, make_engine, make_sessionmaker
from shared.db.migrate import upgrade_head
from shared.redelivery import DeadLetterUndecodable
from shared.settings import Settings
from shared.tasks import ensure_task_stream
from shared.tenant_sync import TenantSync
from shared.tenants import TenantDirectory, cached_tenants


def build_workers(
    settings: Settings,
    engine: AsyncEngine,
    http: httpx.AsyncClient,
    *,
    tenants: TenantDirectory | None = None,
    summarize: Summarizer | None = None,
    policy: WebhookPolicy | None = None,
) -> Workers:
    return Workers(
        sessions=make_sessionmaker(engine),
        tenants=tenants if tenants is not None else cached_tenants(settings.tenants_file),
        http=http,
        summarize=summarize or choose_summarizer(settings),
        policy=policy or WebhookPolicy(),
        digest=DigestPolicy(idle_s=settings.summary_idle_s, every_turns=settings.summary_every_turns),
    )


def consumer_policy(settings: Settings) -> ConsumerPolicy:
    return ConsumerPolicy(
        batch_size=64, max_tries=settings.consumer_max_tries, retry_delay_s=settings.consumer_retry_delay_s
    )


async def connect(settings: Settings, broker: NatsBroker, workers: Workers) -> None:
    # Embedded mode may start the workers before the recorder migrated: the lock makes this safe.
    if is_sqlite(settings.database_url):
        await upgrade_head(settings.database_url)
    await broker.connect()
    js = broker.connection.jetstream()
    await ensure_streams(js)
    await ensure_task_stream(js)
    workers.js = js
    workers.tenant_sync = await TenantSync.follow(js, workers.tenants)  # admin changes, live


async def disconnect(workers: Workers) -> None:
    if workers.tenant_sync is not None:
        await workers.tenant_sync.stop()


async def start_consumers(settings: Settings, broker: NatsBroker, workers: Workers) -> list[BatchConsumer]:
    consumers = consumers_for(workers, broker, consumer_policy(settings))
    for consumer in consumers:
        await consumer.start()
    return consumers


async def stop_consumers(consumers: list[BatchConsumer]) -> None:
    for consumer in consumers:
        await consumer.stop()


def create_app(settings: Settings) -> FastStream:
    engine = make_engine(settings.database_url)
    http = httpx.AsyncClient(follow_redirects=False)
    workers = build_workers(settings, engine, http)
    broker = make_broker(settings, middlewares=(DeadLetterUndecodable,))
    register_handlers(broker, workers)
    consumers: list[BatchConsumer] = []

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await connect(settings, broker, workers)
        try:
            yield
        finally:
            await disconnect(workers)
            await http.aclose()
            await engine.dispose()

    app = FastStream(broker, lifespan=lifespan)

    @app.after_startup
    async def start_working() -> None:
        consumers.extend(await start_consumers(settings, broker, workers))

    @app.on_shutdown
    async def stop_working() -> None:
        await stop_consumers(consumers)

    return app


@asynccontextmanager
async def running(
    settings: Settings,
    engine: AsyncEngine,
    *,
    tenants: TenantDirectory | None = None,
    summarize: Summarizer | None = None,
    policy: WebhookPolicy | None = None,
) -> AsyncIterator[Workers]:
    """Started workers without the FastStream app around them (tests, the in-process runner)."""
    async with httpx.AsyncClient(follow_redirects=False) as http:
        workers = build_workers(settings, engine, http, tenants=tenants, summarize=summarize, policy=policy)
        broker = make_broker(settings, middlewares=(DeadLetterUndecodable,))
        register_handlers(broker, workers)
        await connect(settings, broker, workers)
        await broker.start()
        consumers = await start_consumers(settings, broker, workers)
        try:
            yield workers
        finally:
            await stop_consumers(consumers)
            await disconnect(workers)
            await broker.stop()
