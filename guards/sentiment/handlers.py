"""Bus handlers of the sentiment monitor: thin, the logic is in service.py."""

from __future__ import annotations

from faststream import AckPolicy
from faststream.nats import ConsumerConfig, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage

from guards.sentiment.service import SentimentMonitor
from shared import tracing
from shared.bus import CONV_JSTREAM, emit
from shared.events import UserMessage
from shared.logging import bound_contextvars
from shared.redelivery import retry_or_dead_letter
from shared.subjects import Channel, kind_pattern

DURABLE = "sentiment"


def register_handlers(broker: NatsBroker, monitor: SentimentMonitor) -> None:
    # A durable pull consumer: replicas share it (each message to one of them), and messages
    # published while the monitor was down are scored when it comes back. Acked after the
    # events are published; a failure comes back after a delay, a few times, then goes to SB_DLQ.
    @broker.subscriber(
        kind_pattern(Channel.CONV, "message.user"),
        stream=CONV_JSTREAM,
        durable=DURABLE,
        pull_sub=PullSub(batch_size=10, timeout=1.0),
        config=ConsumerConfig(max_deliver=-1),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title="sentiment-monitor/visitor-messages",
        description="Visitor messages to score; asks for a human when the tenant's rules say so.",
    )
    async def on_user_message(message: UserMessage, msg: NatsMessage) -> None:
        with bound_contextvars(tenant_id=message.tenant_id, conversation_id=message.conversation_id):
            try:
                with tracing.span("sentiment score", msg.headers):
                    events = await monitor.process(message)
                for event in events:
                    await emit(broker, event)
            except Exception as exc:
                await retry_or_dead_letter(broker.connection.jetstream(), msg, DURABLE, exc)
