"""Retry, then dead-letter: the failure path of a FastStream durable handler (handoff, sentiment).

The handler catches what it cannot process and calls :func:`retry_or_dead_letter`: the message
comes back after a delay (one WARNING line, no traceback) until it has been delivered
``max_tries`` times, then it goes to SB_DLQ (shared.dlq: one ERROR line and the count). A
failure that is not the message's fault (``transient``: NATS or the database unreachable) is
only ever retried. The consumers are created with ``max_deliver=-1``: giving up is ours to
decide, never the server's silent drop.

A message that does not even decode into the handler's event (FastStream validates the body
before the handler runs, so the handler cannot catch it) is dead-lettered at once by
:class:`DeadLetterUndecodable`, a broker middleware: nacked, it came straight back, hundreds
of times a second, forever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import nats.errors
from faststream import BaseMiddleware
from faststream.message import StreamMessage
from faststream.nats.annotations import NatsMessage
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.dlq import dead_letter, describe

log = logging.getLogger(__name__)

MAX_TRIES = 5
RETRY_DELAY_S = 1.0
MAX_RETRY_DELAY_S = 30.0


def unavailable(exc: BaseException) -> bool:
    """NATS or a database connection not answering: not the message's fault."""
    if isinstance(exc, (TimeoutError, ConnectionError, nats.errors.Error)):
        return True
    try:
        from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
    except ImportError:  # pragma: no cover - sqlalchemy is a runtime dependency
        return False
    return isinstance(exc, (OperationalError, InterfaceError, DisconnectionError))


def deliveries(msg: NatsMessage) -> int:
    """How many times JetStream has delivered this message (1 the first time)."""
    return int(msg.raw_message.metadata.num_delivered)


async def retry_or_dead_letter(
    js: JetStreamContext,
    msg: NatsMessage,
    consumer: str,
    exc: BaseException,
    *,
    max_tries: int | None = None,
    delay_s: float | None = None,
    transient: Callable[[BaseException], bool] = unavailable,
) -> None:
    """Settle a message its handler failed on: later again, or to SB_DLQ once its tries are used up."""
    max_tries = MAX_TRIES if max_tries is None else max_tries
    delay_s = RETRY_DELAY_S if delay_s is None else delay_s
    tries = deliveries(msg)
    if transient(exc):
        log.warning("consumer %s waits: %s; trying again in %.1fs", consumer, describe(exc), delay_s)
        await msg.nack(delay=delay_s)
        return
    if tries >= max_tries:
        await dead_letter(js, msg.raw_message, consumer, exc, tries)
        return
    delay = min(delay_s * 2 ** (tries - 1), MAX_RETRY_DELAY_S)
    log.warning("consumer %s failed on %s (try %s of %s): %s; again in %.1fs",
                consumer, msg.raw_message.subject, tries, max_tries, describe(exc), delay)  # fmt: skip
    await msg.nack(delay=delay)


def from_jetstream(msg: Any) -> bool:
    return isinstance(msg, Msg) and bool(msg.reply) and msg.reply.startswith("$JS.ACK.")


class DeadLetterUndecodable(BaseMiddleware):  # type: ignore[type-arg]
    """Broker middleware: a JetStream message that does not decode (a ValueError, unsettled) goes to SB_DLQ at once.

    The handlers of the brokers using it settle their own failures (:func:`retry_or_dead_letter`,
    or the orchestrator's nack before it re-raises), so a ValueError left unsettled here is a body
    that is not the event the subscriber expects.
    """

    async def consume_scope(self, call_next: Callable[..., Any], msg: StreamMessage[Any]) -> Any:
        try:
            return await call_next(msg)
        except ValueError as exc:  # pydantic
            raw = msg.raw_message
            if not from_jetstream(raw) or raw._ackd:
                raise
            await dead_letter(raw._client.jetstream(), raw, raw.metadata.consumer, exc, raw.metadata.num_delivered)
            return None


async def unlimit_deliveries(js: JetStreamContext, stream: str, durable: str) -> None:
    """Give an existing durable ``max_deliver=-1`` (the subscriber only sets it on creation).

    A durable made by an older build keeps its limit otherwise, and the server drops a message
    silently when it is reached; max_deliver is one of the fields a consumer update may change.
    """
    try:
        info = await js.consumer_info(stream, durable)
    except NotFoundError:
        return
    if info.config.max_deliver in (None, -1):
        return
    info.config.max_deliver = -1
    await js.add_consumer(stream, config=info.config)
    log.info("consumer %s: max deliver lifted (giving up is a dead letter now)", durable)
