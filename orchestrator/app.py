"""The orchestrator service: broker, handlers and the lifespan that sets up streams and KV."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from faststream import FastStream
from faststream.nats import NatsBroker
from langgraph.checkpoint.base import BaseCheckpointSaver
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from orchestrator.config import OrchestratorSettings
from orchestrator.gate import NatsGate, ensure_reply_progress
from orchestrator.graph import build_graph
from orchestrator.handlers import ACTIONS_SUFFIX, register_handlers
from orchestrator.memory_gate import MemoryGate
from orchestrator.providers import Provider, choose_provider
from orchestrator.providers.offline import OfflineProvider
from orchestrator.streams import StreamRegistry
from orchestrator.turns import Orchestrator
from shared import metrics, tracing
from shared.bus import emit, ensure_streams, make_broker
from shared.checkpointer import checkpointer
from shared.events import Event
from shared.knowledge.index import prebuild
from shared.knowledge.uploads import KnowledgeSync
from shared.redelivery import DeadLetterUndecodable
from shared.settings import Settings
from shared.subjects import CONV_STREAM
from shared.tenant_sync import TenantSync
from shared.tenants import Tenant, cached_tenants

log = logging.getLogger(__name__)


def build_orchestrator(
    settings: Settings,
    broker: NatsBroker,
    options: OrchestratorSettings,
    *,
    checkpointer: BaseCheckpointSaver | None = None,
    provider: Provider | None = None,
) -> Orchestrator:
    """An Orchestrator publishing through ``broker``; ``provider`` overrides the per-tenant choice."""
    offline = OfflineProvider(word_delay=options.word_delay_s)
    chosen: dict[str, Provider] = {}

    def provider_for(tenant: Tenant) -> Provider:
        if provider is not None:
            return provider
        # One SDK client per tenant and model configuration, reused across turns (a new one after an admin change).
        key = f"{tenant.id}\x00{tenant.model.model_dump_json()}"
        if key not in chosen:
            chosen[key] = tracing.traced_provider(choose_provider(settings, tenant, offline))
        return chosen[key]

    async def publish(event: Event) -> object:
        return await emit(broker, event)

    async def close_providers() -> None:
        for chosen_provider in chosen.values():
            close = getattr(chosen_provider, "aclose", None)
            if close is not None:
                await close()

    orch = Orchestrator(
        tenants=cached_tenants(settings.tenants_file),
        graph=build_graph(checkpointer),
        provider_for=provider_for,
        publish=publish,
        # Replaced by the NATS gate once connected (see connect()).
        gate=MemoryGate(),
        closers=[close_providers],
        delta_interval_s=options.delta_interval_s,
    )
    metrics.count_turns(orch)  # switchboard_turns_total{outcome}, read from orch.stats when scraped
    return orch


def create_broker(
    settings: Settings,
    options: OrchestratorSettings | None = None,
    *,
    checkpointer: BaseCheckpointSaver | None = None,
    provider: Provider | None = None,
) -> tuple[NatsBroker, Orchestrator]:
    options = options or OrchestratorSettings()

    async def reconnected() -> None:
        # A restarted nats-server lost the memory stream that keeps reply progress.
        try:
            await ensure_reply_progress(broker.connection.jetstream())
        except Exception:
            log.warning("could not recreate the reply progress stream", exc_info=True)

    broker = make_broker(settings, reconnected_cb=reconnected, middlewares=(DeadLetterUndecodable,))
    orch = build_orchestrator(settings, broker, options, checkpointer=checkpointer, provider=provider)
    register_handlers(
        broker,
        orch,
        durable=options.durable,
        deliver_policy=DeliverPolicy.NEW if options.deliver == "new" else DeliverPolicy.ALL,
        concurrency=options.concurrency,
        ack_wait=options.ack_wait_s,
    )
    return broker, orch


async def connect(orch: Orchestrator, broker: NatsBroker, options: OrchestratorSettings, settings: Settings) -> None:
    """Connect, make sure streams and buckets exist, and wire the NATS-backed pieces."""
    await broker.connect()
    js = broker.connection.jetstream()
    await ensure_streams(js)
    await apply_ack_wait(js, options.durable, options.ack_wait_s)
    await apply_ack_wait(js, options.durable + ACTIONS_SUFFIX, options.ack_wait_s)
    orch.gate = await NatsGate.connect(js, lock_ttl=options.lock_ttl_s)
    orch.publish = raw_publisher(broker)
    orch.registry = StreamRegistry(subscribe=lambda subj, cb: broker.connection.subscribe(subj, cb=cb))
    orch.closers.append((await TenantSync.follow(js, orch.tenants)).stop)  # admin changes, live
    orch.knowledge = await KnowledgeSync.follow(js, orch.tenants, settings.database_url)  # uploads, live
    orch.closers.append(orch.knowledge.stop)


async def apply_ack_wait(js: JetStreamContext, durable: str, ack_wait: float) -> None:
    """Give an existing durable the configured ack wait (the subscriber only sets it on creation).

    A durable made by an older build keeps its old ack wait otherwise (30 s: a crashed turn
    then stalls that long); ack_wait is one of the fields a consumer update may change.
    """
    try:
        info = await js.consumer_info(CONV_STREAM, durable)
    except NotFoundError:
        return
    if info.config.ack_wait is not None and abs(info.config.ack_wait - ack_wait) < 1e-3:
        return
    info.config.ack_wait = ack_wait
    await js.add_consumer(CONV_STREAM, config=info.config)
    log.info("consumer %s: ack wait set to %ss", durable, ack_wait)


def raw_publisher(broker: NatsBroker) -> Callable[[Event], Awaitable[object]]:
    """Publish like shared.bus.emit, ephemeral events (deltas, typing) straight on the NATS client.

    FastStream's publish path (message wrapping, correlation id, middlewares) costs more than
    the delta itself; every reader of sb.push parses the raw JSON body.
    """

    async def publish(event: Event) -> object:
        if event.durable:
            return await emit(broker, event)
        headers = tracing.inject({}) if tracing.ENABLED else None
        await broker.connection.publish(event.subject, event.model_dump_json().encode(), headers=headers)
        return None

    return publish


@asynccontextmanager
async def database_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    """The checkpointer on the application database (SQLite file or Postgres), shared by replicas."""
    async with checkpointer(settings.database_url) as saver:
        yield saver


def create_app(
    settings: Settings,
    options: OrchestratorSettings | None = None,
    *,
    checkpointer: BaseCheckpointSaver | None = None,
    provider: Provider | None = None,
) -> FastStream:
    options = options or OrchestratorSettings()
    broker, orch = create_broker(settings, options, checkpointer=checkpointer, provider=provider)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if checkpointer is None and options.checkpointer == "database":
                saver = await stack.enter_async_context(database_checkpointer(settings))
                orch.graph = build_graph(saver)
            stack.push_async_callback(orch.aclose)
            await asyncio.to_thread(prebuild, [t.knowledge_base for t in orch.tenants.tenants])
            await connect(orch, broker, options, settings)
            yield

    app = FastStream(broker, lifespan=lifespan)
    app.orchestrator = orch  # type: ignore[attr-defined]
    return app


@asynccontextmanager
async def running(
    settings: Settings,
    options: OrchestratorSettings | None = None,
    *,
    checkpointer: BaseCheckpointSaver | None = None,
    provider: Provider | None = None,
) -> AsyncIterator[Orchestrator]:
    """A started orchestrator without the FastStream app around it (tests, benches)."""
    options = options or OrchestratorSettings()
    broker, orch = create_broker(settings, options, checkpointer=checkpointer, provider=provider)
    await connect(orch, broker, options, settings)
    await broker.start()
    try:
        yield orch
    finally:
        await broker.stop()
        await orch.aclose()
