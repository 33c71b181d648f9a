"""The hallucination-guard service: broker, handlers and a lifespan that sets up the streams."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream import FastStream
from faststream.nats import NatsBroker

from guards.hallucination.handlers import register_handlers
from guards.hallucination.service import HallucinationGuard
from guards.methods import make_method
from guards.replicas import Leases, LeaseSettings, Ownership
from guards.tenancy import TenantRules
from guards.verdict import GuardMethod
from shared.bus import emit, ensure_streams, make_broker
from shared.events import MessageFlagged
from shared.languages import warm
from shared.settings import Settings, get_settings


def create_broker(
    settings: Settings,
    *,
    method: GuardMethod | None = None,
    rules: TenantRules | None = None,
    ownership: Ownership | None = None,
) -> tuple[NatsBroker, HallucinationGuard]:
    """``ownership`` None means partitions leased on the bus (started by connect())."""
    # Every token delta passes through here: per-message access logs at INFO would cost more
    # than the check itself, so they go to DEBUG.
    warm(settings.guard_languages)  # now, never on a check: loading a dictionary holds the GIL for seconds
    broker = make_broker(settings, log_level=logging.DEBUG)

    async def publish(flag: MessageFlagged) -> object:
        return await emit(broker, flag)

    guard = HallucinationGuard(
        method=method or make_method(settings),
        rules=rules or TenantRules.from_settings(settings),
        publish=publish,
        ownership=ownership,
    )
    register_handlers(broker, guard)
    return broker, guard


LEASE_GROUP = "hallucination-guard"


async def connect(broker: NatsBroker, guard: HallucinationGuard, leases: LeaseSettings | None = None) -> None:
    """Connect, set up the streams and, unless told otherwise, lease this replica's partitions."""
    await broker.connect()
    js = broker.connection.jetstream()
    await ensure_streams(js)
    await guard.rules.follow(js)
    if type(guard.ownership) is Ownership:
        guard.ownership = Leases(js, LEASE_GROUP, leases)
    await guard.ownership.start(guard.gained)


def create_app(settings: Settings | None = None, **kwargs: object) -> FastStream:
    broker, guard = create_broker(settings or get_settings(), **kwargs)  # type: ignore[arg-type]

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await connect(broker, guard)
        yield
        await guard.ownership.aclose()
        await guard.aclose()
        await guard.rules.aclose()

    app = FastStream(broker, lifespan=lifespan)
    app.guard = guard  # type: ignore[attr-defined]
    return app


@asynccontextmanager
async def running(
    settings: Settings, leases: LeaseSettings | None = None, **kwargs: object
) -> AsyncIterator[HallucinationGuard]:
    """A started guard without the FastStream app around it (tests, the bench)."""
    broker, guard = create_broker(settings, **kwargs)  # type: ignore[arg-type]
    await connect(broker, guard, leases)
    await broker.start()
    await broker.connection.flush()  # our subscriptions are registered before the caller publishes
    try:
        yield guard
    finally:
        await guard.ownership.aclose()
        await guard.aclose()
        await guard.rules.aclose()
        await broker.stop()
