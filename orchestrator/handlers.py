"""Bus handlers: thin adapters from NATS messages to the plain functions in turns.py."""

from __future__ import annotations

import logging
import time
from typing import Any

from faststream.middlewares import AckPolicy
from faststream.nats import ConsumerConfig, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.js.api import DeliverPolicy

from orchestrator.turns import Orchestrator, handle_user_message
from shared import metrics, tracing
from shared.bus import CONV_JSTREAM
from shared.events import UserMessage, WidgetAction
from shared.logging import bound_contextvars
from shared.subjects import Channel, kind_pattern, parse

log = logging.getLogger(__name__)

DURABLE = "orchestrator"
# Widget actions have their own durable on the same stream (one consumer has one filter); the
# turns they start share the conversation lock and the "answered through" mark with messages.
ACTIONS_SUFFIX = "-actions"
# Short: a replica that dies mid-turn has its message redelivered (and the reply taken over by
# another replica or its restart) after this. A live turn sends "in progress" every third of it.
ACK_WAIT_S = 2.0
# Lock held by another replica: come back soon (the other turn is usually a few seconds long),
# a little later on each redelivery so a long turn is not polled hard.
RETRY_DELAY_S = 0.25
MAX_RETRY_DELAY_S = 2.0
# A turn failed (e.g. NATS unreachable mid-reply): rerun it with the same ids after this.
FAILURE_DELAY_S = 1.0
MAX_CONCURRENT_TURNS = 256
CONSUME_LAG = metrics.CONSUME_LAG_FAMILY.labels(DURABLE)
PENDING = metrics.PENDING_FAMILY.labels(DURABLE)


def stream_seq(msg: NatsMessage) -> int | None:
    """The message's sequence in SB_CONV, or None when it did not come from JetStream."""
    try:
        return int(msg.raw_message.metadata.sequence.stream)
    except Exception:
        return None


def deliveries(msg: NatsMessage) -> int:
    """How many times JetStream has delivered this message (1 the first time)."""
    try:
        return int(msg.raw_message.metadata.num_delivered)
    except Exception:
        return 1


def retry_delay(msg: NatsMessage) -> float:
    return min(RETRY_DELAY_S * deliveries(msg), MAX_RETRY_DELAY_S)


def observe_consumed(msg: NatsMessage) -> None:
    """Consumer lag: the message's age (JetStream's stored time) and what is still pending after it."""
    try:
        meta = msg.raw_message.metadata
        CONSUME_LAG.observe(max(0.0, time.time() - meta.timestamp.timestamp()))
        PENDING.set(meta.num_pending)
    except Exception:  # not from JetStream (tests' in-memory broker)
        return


async def the_message(msg: NatsMessage) -> NatsMessage:
    """Decoder handing the handler the message itself (body, metadata, ack) as its argument."""
    return msg


def register_handlers(
    broker: NatsBroker,
    orch: Orchestrator,
    durable: str = DURABLE,
    deliver_policy: DeliverPolicy = DeliverPolicy.ALL,
    concurrency: int = MAX_CONCURRENT_TURNS,
    ack_wait: float = ACK_WAIT_S,
) -> None:
    """Subscribe the orchestrator; tests pass their own durable (and NEW) so they never share one."""

    @broker.subscriber(
        kind_pattern(Channel.CONV, "message.user"),
        stream=CONV_JSTREAM,
        durable=durable,
        pull_sub=PullSub(batch_size=concurrency, timeout=2.0),
        config=ConsumerConfig(ack_wait=ack_wait, deliver_policy=deliver_policy),
        ack_policy=AckPolicy.MANUAL,
        max_workers=concurrency,
        decoder=the_message,
        title="orchestrator/message.user",
        description="Answers each visitor message once, in order per conversation (shared durable pull consumer).",
    )
    async def on_user_message(msg: NatsMessage) -> None:
        # The message itself is the handler's body (the decoder below), not a `msg: NatsMessage`
        # context argument: FastStream resolves those in a worker thread, a hop on every turn.
        # A body that is not a UserMessage raises ValueError, unsettled: DeadLetterUndecodable.
        await take_turn(msg, UserMessage.model_validate_json(msg.body))

    @broker.subscriber(
        kind_pattern(Channel.CONV, "widget.action"),
        stream=CONV_JSTREAM,
        durable=durable + ACTIONS_SUFFIX,
        pull_sub=PullSub(batch_size=concurrency, timeout=2.0),
        config=ConsumerConfig(ack_wait=ack_wait, deliver_policy=deliver_policy),
        ack_policy=AckPolicy.MANUAL,
        max_workers=concurrency,
        decoder=the_message,
        title="orchestrator/widget.action",
        description="Handles each widget action once, in order with the conversation's messages "
        "(validates forms, calls the tenant's action handler, answers with component.updated and/or a reply).",
    )
    async def on_widget_action(msg: NatsMessage) -> None:
        await take_turn(msg, WidgetAction.model_validate_json(msg.body))

    async def take_turn(msg: NatsMessage, event: UserMessage | WidgetAction) -> None:
        observe_consumed(msg)
        ids: dict[str, Any] = {
            "tenant_id": event.tenant_id,
            "conversation_id": event.conversation_id,
            "turn_id": event.message_id if isinstance(event, UserMessage) else event.id,
        }
        try:
            with bound_contextvars(**ids), tracing.span("turn", msg.headers, **ids):
                decision = await handle_user_message(
                    orch,
                    event,
                    stream_seq(msg),
                    progress=msg.in_progress,
                    heartbeat=ack_wait / 3,
                    redelivered=deliveries(msg) > 1,
                )
        except Exception:
            await msg.nack(delay=FAILURE_DELAY_S)
            raise
        if decision == "ack":
            await msg.ack()
        else:
            await msg.nack(delay=retry_delay(msg))

    @broker.subscriber(
        kind_pattern(Channel.PUSH, "handoff.accepted"),
        title="orchestrator/handoff.accepted",
        description="An agent took the conversation: the replica streaming in it stops within one token.",
    )
    async def on_handoff_accepted(body: dict[str, Any], msg: NatsMessage) -> None:
        try:
            _, tenant_id, conversation_id, _ = parse(msg.raw_message.subject)
        except ValueError:
            tenant_id, conversation_id = body.get("tenant_id", ""), body.get("conversation_id", "")
        if orch.cancel(tenant_id, conversation_id, "agent_joined"):
            log.info("cancelled reply in %s/%s: agent joined", tenant_id, conversation_id)
