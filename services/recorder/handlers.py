"""The recorder's consumers: one durable per stream, fetching batches, each batch written in one transaction.

A batch that fails is written message by message instead, so one bad event costs only
itself: it is retried a few times, then dead-lettered (shared.consumer), while the events of
every other conversation are recorded. An event that can never be recorded (not JSON, no
ids) is dead-lettered at once. A database that is down fails nothing: the batch waits.
"""

from __future__ import annotations

import json

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.recorder.store import Recordable, record_events, recordable
from shared import metrics, tracing
from shared.consumer import BatchConsumer, ConsumerPolicy, Poison
from shared.db.errors import database_unavailable
from shared.logging import bound_contextvars
from shared.settings import Settings
from shared.subjects import CONV_STREAM, OPS_STREAM, Channel, channel_pattern

Sessions = async_sessionmaker[AsyncSession]
DB_WRITE_SECONDS = metrics.DB_WRITE_SECONDS_FAMILY.labels("recorder")

DURABLES = {Channel.CONV: "recorder-conv", Channel.OPS: "recorder-ops"}
STREAMS = {Channel.CONV: CONV_STREAM, Channel.OPS: OPS_STREAM}


def decode(raw: Msg, channel: Channel) -> Recordable:
    """The event in ``raw``; Poison when it is not an event at all."""
    seq = int(raw.metadata.sequence.stream)
    try:
        body = json.loads(raw.data)
    except ValueError as exc:
        raise Poison(f"Expected a JSON event at seq {seq}, got invalid JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise Poison(f"Expected a JSON object at seq {seq}, got {type(body).__name__}")
    try:
        return recordable(body, seq, channel, raw.data)
    except ValueError as exc:
        raise Poison(str(exc)) from exc


def policy_from(settings: Settings) -> ConsumerPolicy:
    return ConsumerPolicy(
        batch_size=settings.recorder_batch_size,
        ack_wait_s=settings.recorder_ack_wait_s,
        max_tries=settings.consumer_max_tries,
        retry_delay_s=settings.consumer_retry_delay_s,
    )


def recorder_consumer(
    js: JetStreamContext, sessions: Sessions, channel: Channel, policy: ConsumerPolicy
) -> BatchConsumer:
    async def write(events: list[Recordable]) -> None:
        with DB_WRITE_SECONDS.time():
            async with sessions.begin() as session:
                await record_events(session, events)

    async def handle_batch(msgs: list[Msg]) -> None:
        with tracing.spans("record", [m.headers for m in msgs] if tracing.ENABLED else []):
            await write([decode(m, channel) for m in msgs])

    async def handle_one(msg: Msg) -> None:
        event = decode(msg, channel)
        ids = {"tenant_id": event.tenant_id, "conversation_id": event.conversation_id}
        with bound_contextvars(**ids), tracing.span("record", msg.headers, event_type=event.kind):
            await write([event])

    return BatchConsumer(
        js=js,
        stream=STREAMS[channel],
        durable=DURABLES[channel],
        filter_subject=channel_pattern(channel),
        handle_one=handle_one,
        handle_batch=handle_batch,
        policy=policy,
        transient=database_unavailable,
        description=f"Writes every event of {STREAMS[channel]} to the database (idempotent by event id).",
    )


async def start_consumers(js: JetStreamContext, sessions: Sessions, policy: ConsumerPolicy) -> list[BatchConsumer]:
    consumers = [recorder_consumer(js, sessions, channel, policy) for channel in DURABLES]
    for consumer in consumers:
        await consumer.start()
    return consumers


async def stop_consumers(consumers: list[BatchConsumer]) -> None:
    for consumer in consumers:
        await consumer.stop()
