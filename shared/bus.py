"""Bus setup: the broker factory, the JetStream streams and the one way to publish an event."""

from __future__ import annotations

import logging
import os
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from faststream.nats import JStream, NatsBroker
from nats.js.api import RePublish, StorageType, StreamConfig
from nats.js.errors import BadRequestError
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import metrics, tracing
from shared.events.base import Event
from shared.settings import Settings
from shared.subjects import (
    CONV_STREAM,
    DLQ_STREAM,
    OPS_STREAM,
    STREAM_OF,
    Channel,
    channel_pattern,
    dlq_pattern,
)

if TYPE_CHECKING:
    from nats.js import JetStreamContext

log = logging.getLogger(__name__)

DUPLICATE_WINDOW_S = 30 * 60
RETENTION_S = 7 * 24 * 3600
# Dead letters wait for a person: kept longer than the events they came from.
DLQ_RETENTION_S = 30 * 24 * 3600

# Subscribers bind to these; the full configuration is applied by ensure_streams().
CONV_JSTREAM = JStream(CONV_STREAM, declare=False)
OPS_JSTREAM = JStream(OPS_STREAM, declare=False)


class BusSettings(BaseSettings):
    """Read by every service straight from the environment (it needs no secret)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    nats_replicas: int = Field(
        1, ge=1, le=5, description="Replicas of every JetStream stream and KV bucket we create (3 on a cluster)."
    )


def nats_replicas() -> int:
    """NATS_REPLICAS: how many servers hold each stream and bucket created from now on."""
    return BusSettings().nats_replicas


def nats_servers(url: str | None) -> list[str]:
    """NATS_URL as a list: one URL or several separated by commas (the seed servers of a cluster)."""
    servers = [u.strip() for u in (url or "").split(",") if u.strip()]
    return servers or ["nats://127.0.0.1:4222"]


def stream_configs(replicas: int = 1) -> list[StreamConfig]:
    return [
        StreamConfig(
            name=CONV_STREAM,
            description="Durable conversation events the visitor sees; republished to sb.push with their sequence.",
            subjects=[channel_pattern(Channel.CONV)],
            republish=RePublish(src=channel_pattern(Channel.CONV), dest=channel_pattern(Channel.PUSH)),
            duplicate_window=DUPLICATE_WINDOW_S,
            max_age=RETENTION_S,
            storage=StorageType.FILE,
            allow_direct=True,
            num_replicas=replicas,
        ),
        StreamConfig(
            name=OPS_STREAM,
            description="Durable internal conversation events (sentiment, handoff requests, feedback).",
            subjects=[channel_pattern(Channel.OPS)],
            duplicate_window=DUPLICATE_WINDOW_S,
            max_age=RETENTION_S,
            storage=StorageType.FILE,
            num_replicas=replicas,
        ),
        StreamConfig(
            name=DLQ_STREAM,
            description="Dead letters: messages a consumer could not process after a few tries, as received, "
            "with the original subject, stream sequence, consumer and error in Sb-Dlq-* headers.",
            subjects=[dlq_pattern()],
            duplicate_window=DUPLICATE_WINDOW_S,
            max_age=DLQ_RETENTION_S,
            storage=StorageType.FILE,
            num_replicas=replicas,
        ),
    ]


# Every broker of this process, for services.health (Kubernetes probes).
BROKERS: weakref.WeakSet[NatsBroker] = weakref.WeakSet()


def make_broker(settings: Settings, **kwargs: object) -> NatsBroker:
    """A broker that reconnects forever: services outlive a NATS restart.

    The connection is named after the service (SB_SERVICE_NAME, set by the runner), so
    the runner can see on the server's monitoring endpoint when each service is subscribed.
    """
    kwargs.setdefault("name", os.environ.get("SB_SERVICE_NAME", "switchboard"))
    kwargs["reconnected_cb"] = _rewatching(kwargs.get("reconnected_cb"))  # type: ignore[arg-type]
    # FastStream's "Received"/"Processed" lines, two per message, at DEBUG: at INFO they were
    # most of every service's log and a tenth of its CPU. Failures are still logged as errors.
    kwargs.setdefault("log_level", logging.DEBUG)
    # A plain logger: its lines go through shared.logging like every other (not FastStream's own handler).
    kwargs.setdefault("logger", logging.getLogger("faststream.bus"))
    broker = NatsBroker(
        servers=nats_servers(settings.nats_url),
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        **kwargs,  # type: ignore[arg-type]
    )
    BROKERS.add(broker)
    return broker


def _rewatch_followers() -> None:
    from shared.config_bucket import rewatch_all  # here: shared.config_bucket imports this module

    rewatch_all()


def _rewatching(callback: Callable[[], Awaitable[None]] | None) -> Callable[[], Awaitable[None]]:
    """A reconnect callback that first restarts this process's config followers (shared.config_bucket)."""

    async def reconnected() -> None:
        _rewatch_followers()
        if callback is not None:
            await callback()

    return reconnected


async def ensure_streams(js: JetStreamContext) -> None:
    """Create or update our streams; safe to call from every service at startup."""
    for config in stream_configs(nats_replicas()):
        try:
            await js.add_stream(config=config)
        except BadRequestError:
            await js.update_stream(config=config)


def publish_headers(event: Event) -> dict[str, str]:
    return {"Nats-Msg-Id": event.id} if event.durable else {}


async def emit(broker: NatsBroker, event: Event) -> int | None:
    """Publish an event on its own subject; durable events go through JetStream.

    Returns the stream sequence of a durable event (None for ephemeral ones). A durable
    event whose id was already stored inside the duplicate window is dropped by NATS and
    its original sequence returned.
    """
    if event.channel in STREAM_OF:
        started = time.perf_counter()
        ack = await broker.publish(
            event,
            event.subject,
            headers=tracing.inject(publish_headers(event)),
            stream=STREAM_OF[event.channel],
        )
        metrics.PUBLISH_SECONDS[event.channel].observe(time.perf_counter() - started)
        return ack.seq if ack is not None else None
    await broker.publish(event, event.subject, headers=tracing.inject({}) if tracing.ENABLED else None)
    return None
