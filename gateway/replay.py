"""Reading a conversation's stored events back, and asking what a streaming reply has said so far."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import datetime

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from pydantic import BaseModel, Field, ValidationError

from gateway.commands import Visitor
from shared.events import MessageCancelled, MessageCompleted, MessageCreated
from shared.subjects import CONV_STREAM, Channel, conversation_pattern, stream_state_subject, subject

log = logging.getLogger(__name__)

# Up to this many missed events are read with one request each; more go through a consumer.
FETCH_ONE_BY_ONE = 32
CREATED = MessageCreated.model_fields["type"].default
ENDED = frozenset({MessageCompleted.model_fields["type"].default, MessageCancelled.model_fields["type"].default})


class StreamState(BaseModel):
    """The orchestrator's answer on ``stream_state_subject``."""

    message_id: str
    text: str = Field(description="Everything the reply has said so far.")
    done: bool = Field(False, description="True once the reply is completed or cancelled.")


async def stored_after(
    js: JetStreamContext, visitor: Visitor, after_seq: int = 0, since: datetime | None = None, timeout: float = 5.0
) -> AsyncGenerator[tuple[int, bytes], None]:
    """(seq, payload) of the conversation's stored events with seq > ``after_seq`` (or stored at or
    after ``since``), in order."""
    pattern = conversation_pattern(Channel.CONV, visitor.tenant_id, visitor.conversation_id)
    if since is None:
        # Most resumes miss nothing or a few events: fetch those one by one (a single request
        # when nothing is missing) and start a consumer only for a long replay. Reads go to
        # the stream leader, never a possibly lagging replica.
        for _ in range(FETCH_ONE_BY_ONE):
            try:
                raw = await js.get_msg(CONV_STREAM, seq=after_seq + 1, next=True, subject=pattern)
            except nats.js.errors.NotFoundError:
                return
            after_seq = raw.seq or after_seq + 1
            yield after_seq, raw.data or b""
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after_seq + 1)
    else:
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=since)
    async for item in _consumed(js, pattern, config, timeout):
        yield item


async def _consumed(
    js: JetStreamContext, pattern: str, config: ConsumerConfig, timeout: float
) -> AsyncIterator[tuple[int, bytes]]:
    """Stream stored events through an ephemeral ordered consumer until none is pending."""
    sub = await js.subscribe(pattern, stream=CONV_STREAM, ordered_consumer=True, config=config)
    try:
        info = await sub.consumer_info()
        # Nothing stored from the start point (and nothing delivered yet): waiting would never end.
        delivered = info.delivered.consumer_seq if info.delivered else 0
        if info.num_pending == 0 and delivered == 0:
            return
        while True:
            msg = await sub.next_msg(timeout=timeout)
            meta = msg.metadata
            yield meta.sequence.stream, msg.data
            if meta.num_pending == 0:
                return
    finally:
        await _discard(js, sub)


async def _discard(js: JetStreamContext, sub: JetStreamContext.PushSubscription) -> None:
    await sub.unsubscribe()
    # The server would drop the ephemeral consumer after its inactivity threshold anyway.
    with contextlib.suppress(nats.errors.Error, nats.js.errors.Error, asyncio.TimeoutError):
        await js.delete_consumer(CONV_STREAM, sub._consumer)


async def open_reply_before(js: JetStreamContext, visitor: Visitor, after_seq: int) -> str | None:
    """The message_id of a reply created at or before ``after_seq`` that may still be streaming.

    Replies in one conversation are produced one after another, so only the latest
    ``message.created`` can be open; it is closed if a completion or cancellation came later.
    """
    created = await _last(js, visitor, CREATED)
    if created is None or created[0] > after_seq:
        return None
    for kind in ENDED:
        ended = await _last(js, visitor, kind)
        if ended is not None and ended[0] > created[0]:
            return None
    message_id = created[1].get("message_id")
    return message_id if isinstance(message_id, str) else None


async def _last(js: JetStreamContext, visitor: Visitor, kind: str) -> tuple[int, dict] | None:
    kind_subject = subject(Channel.CONV, visitor.tenant_id, visitor.conversation_id, kind)
    try:
        raw = await js.get_last_msg(CONV_STREAM, kind_subject)
    except nats.js.errors.NotFoundError:
        return None
    try:
        data = json.loads(raw.data or b"{}")
    except ValueError:
        return None
    return (raw.seq or 0, data) if isinstance(data, dict) else None


async def stream_state(nc: Client, visitor: Visitor, message_id: str, timeout: float = 1.0) -> StreamState | None:
    """What the reply has said so far, or None if no orchestrator answers."""
    request = json.dumps({"message_id": message_id}).encode()
    try:
        reply = await nc.request(
            stream_state_subject(visitor.tenant_id, visitor.conversation_id), request, timeout=timeout
        )
        state = StreamState.model_validate_json(reply.data)
    except (TimeoutError, nats.errors.NoRespondersError, nats.errors.TimeoutError):
        return None
    except ValidationError as exc:
        log.warning("Expected a stream state {message_id, text, done}, got %r: %s", reply.data[:200], exc)
        return None
    return state if state.message_id == message_id else None
