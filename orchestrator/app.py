"""The orchestrator service: broker, handlers and the lifespan that sets up streams and KV."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream import FastStream
from faststream.nats import NatsBroker
from langgraph.checkpoint.base import BaseCheckpointSaver
from nats.js.api import DeliverPolicy

from orchestrator.gate import NatsGate
from orchestrator.graph import build_graph
from orchestrator.handlers import DURABLE, MAX_CONCURRENT_TURNS, register_handlers
from orchestrator.memory_gate import MemoryGate
from orchestrator.providers import Provider, choose_provider
from orchestrator.providers.offline import OfflineProvider
from orchestrator.streams import StreamRegistry
from orchestrator.turns import Orchestrator
from shared.bus import emit, ensure_streams, make_broker
from shared.events import Event
from shared.settings import Settings
from shared.tenants import Tenant, cached_tenants

# Word pacing of the offline answerer in the running product, so the demo visibly streams.
DEMO_WORD_DELAY_S = 0.03


def build_orchestrator(
    settings: Settings,
    broker: NatsBroker,
    *,
    checkpointer: BaseCheckpointSaver | None = None,
    provider: Provider | None = None,
    offline_word_delay: float = DEMO_WORD_DELAY_S,
) -> Orchestrator:
    """An Orchestrator publishing through ``broker``; ``provider`` overrides the per-tenant choice."""
    offline = OfflineProvider(word_delay=offline_word_delay)
    chosen: dict[str, Provider] = {}

    def provider_for(tenant: Tenant) -> Provider:
        if provider is not None:
            return provider
        if tenant.id not in chosen:  # one SDK client per tenant, reused across turns
            chosen[tenant.id] = choose_provider(settings, tenant, offline)
        return chosen[tenant.id]

    async def publish(event: Event) -> object:
        return await emit(broker, event)

    return Orchestrator(
        tenants=cached_tenants(settings.tenants_file),
        graph=build_graph(checkpointer),
        provider_for=provider_for,
        publish=publish,
        # Replaced by the NATS gate once connected (see connect()).
        gate=MemoryGate(),
    )


async def connect(orch: Orchestrator, broker: NatsBroker) -> None:
    """Connect, make sure streams and buckets exist, and wire the NATS-backed pieces."""
    await broker.connect()
    js = broker.connection.jetstream()
    await ensure_streams(js)
    orch.gate = await NatsGate.connect(js)
    orch.registry = StreamRegistry(subscribe=lambda subj, cb: broker.connection.subscribe(subj, cb=cb))


def create_broker(
    settings: Settings,
    *,
    durable: str = DURABLE,
    deliver_policy: DeliverPolicy = DeliverPolicy.ALL,
    concurrency: int = MAX_CONCURRENT_TURNS,
    **kwargs: object,
) -> tuple[NatsBroker, Orchestrator]:
    broker = make_broker(settings)
    orch = build_orchestrator(settings, broker, **kwargs)  # type: ignore[arg-type]
    register_handlers(broker, orch, durable=durable, deliver_policy=deliver_policy, concurrency=concurrency)
    return broker, orch


def create_app(settings: Settings, **kwargs: object) -> FastStream:
    broker, orch = create_broker(settings, **kwargs)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await connect(orch, broker)
        yield

    app = FastStream(broker, lifespan=lifespan)
    app.orchestrator = orch  # type: ignore[attr-defined]
    return app


@asynccontextmanager
async def running(settings: Settings, **kwargs: object) -> AsyncIterator[Orchestrator]:
    """A started orchestrator without the FastStream app around it (tests, benches, the runner)."""
    broker, orch = create_broker(settings, **kwargs)
    await connect(orch, broker)
    await broker.start()
    try:
        yield orch
    finally:
        await broker.stop()
