"""Bus handlers: one durable pull consumer per stream, each message handed to store.record_event."""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

from faststream.middlewares import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.recorder.store import record_event
from shared.bus import CONV_JSTREAM, OPS_JSTREAM
from shared.subjects import Channel, channel_pattern

log = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
Outcome = Literal["ack", "nack", "term"]

DURABLES = {Channel.CONV: "recorder-conv", Channel.OPS: "recorder-ops"}
FETCH_TIMEOUT_S = 5.0
ACK_WAIT_S = 30.0
# A database hiccup: the event comes back after this long, up to MAX_DELIVER times.
RETRY_DELAY_S = 1.0
MAX_DELIVER = 50


async def record_message(sessions: Sessions, raw: Msg, channel: Channel) -> Outcome:
    """Record one JetStream message; says what to tell JetStream about it."""
    seq = int(raw.metadata.sequence.stream)
    try:
        body = json.loads(raw.data)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        log.error("dropping non-event on %s (seq %s): expected a JSON object", raw.subject, seq)
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


async def settle(raw: Msg, outcome: Outcome) -> None:
    if outcome == "ack":
        await raw.ack()
    elif outcome == "term":
        await raw.term()
    else:
        await raw.nak(delay=RETRY_DELAY_S)


def register_handlers(broker: NatsBroker, sessions: Sessions) -> None:
    def consumer(channel: Channel, stream: JStream) -> None:
        @broker.subscriber(
            channel_pattern(channel),
            stream=stream,
            durable=DURABLES[channel],
            # One event per fetch, written before the next: stream order is kept (the first copy
            # of an event re-published without dedupe is the one that counts) and SQLite sees
            # one writer per stream. Larger fetches (nats-py _fetch_n) can raise a bare
            # asyncio.TimeoutError that FastStream 0.7.8 does not catch, dropping the fetched
            # batch until ack_wait; the single-message fetch has no such path.
            pull_sub=PullSub(batch_size=1, timeout=FETCH_TIMEOUT_S),
            config=ConsumerConfig(ack_wait=ACK_WAIT_S, max_deliver=MAX_DELIVER, deliver_policy=DeliverPolicy.ALL),
            ack_policy=AckPolicy.MANUAL,
            title=f"recorder/{channel}",
            description=f"Writes every event of the {stream.name} stream to the database (idempotent by event id).",
        )
        async def on_event(_: Any, msg: NatsMessage) -> None:
            await settle(msg.raw_message, await record_message(sessions, msg.raw_message, channel))

    consumer(Channel.CONV, CONV_JSTREAM)
    consumer(Channel.OPS, OPS_JSTREAM)
