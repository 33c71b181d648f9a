"""Bus handlers: one durable pull consumer per stream, each message handed to store.record_event."""

from __future__ import annotations

import logging
from typing import Any

from faststream.middlewares import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.js.api import DeliverPolicy
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.recorder.store import record_event
from shared.bus import CONV_JSTREAM, OPS_JSTREAM
from shared.subjects import Channel, channel_pattern

log = logging.getLogger(__name__)

DURABLES = {Channel.CONV: "recorder-conv", Channel.OPS: "recorder-ops"}
BATCH = 64
ACK_WAIT_S = 30.0
# A database hiccup: the event comes back after this long, up to MAX_DELIVER times.
RETRY_DELAY_S = 1.0
MAX_DELIVER = 50


async def record_message(
    sessions: async_sessionmaker[AsyncSession], body: Any, msg: NatsMessage, channel: Channel
) -> str:
    """Record one JetStream message; returns what was done with it: 'ack', 'nack' or 'term'."""
    seq = int(msg.raw_message.metadata.sequence.stream)
    if not isinstance(body, dict):
        log.error("dropping non-event on %s (seq %s): expected a JSON object", msg.raw_message.subject, seq)
        return "term"
    try:
        async with sessions.begin() as session:
            await record_event(session, body, seq, channel)
    except ValueError as exc:
        log.error("dropping malformed event at seq %s: %s", seq, exc)
        return "term"
    except Exception:
        log.exception("could not record event at %s seq %s; will retry", channel, seq)
        return "nack"
    return "ack"


def register_handlers(broker: NatsBroker, sessions: async_sessionmaker[AsyncSession]) -> None:
    def consumer(channel: Channel, stream: JStream) -> None:
        @broker.subscriber(
            channel_pattern(channel),
            stream=stream,
            durable=DURABLES[channel],
            pull_sub=PullSub(batch_size=BATCH, timeout=2.0),
            config=ConsumerConfig(ack_wait=ACK_WAIT_S, max_deliver=MAX_DELIVER, deliver_policy=DeliverPolicy.ALL),
            ack_policy=AckPolicy.MANUAL,
            title=f"recorder/{channel}",
            description=f"Writes every event of the {stream.name} stream to the database (idempotent by event id).",
        )
        async def on_event(body: Any, msg: NatsMessage) -> None:
            outcome = await record_message(sessions, body, msg, channel)
            if outcome == "ack":
                await msg.ack()
            elif outcome == "term":
                await msg.reject()
            else:
                await msg.nack(delay=RETRY_DELAY_S)

    consumer(Channel.CONV, CONV_JSTREAM)
    consumer(Channel.OPS, OPS_JSTREAM)
