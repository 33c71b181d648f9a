"""Bus handlers of the workers: one shared durable pull consumer of completed replies."""

from __future__ import annotations

from faststream.middlewares import AckPolicy
from faststream.nats import ConsumerConfig, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.js.api import DeliverPolicy

from orchestrator.handlers import FAILURE_DELAY_S, stream_seq
from orchestrator.workers.tasks import Workers, refresh_insights
from shared.bus import CONV_JSTREAM
from shared.events import MessageCompleted
from shared.subjects import Channel, kind_pattern

DURABLE = "workers"
CONCURRENCY = 16


def register_handlers(
    broker: NatsBroker, workers: Workers, durable: str = DURABLE, deliver_policy: DeliverPolicy = DeliverPolicy.ALL
) -> None:
    @broker.subscriber(
        kind_pattern(Channel.CONV, "message.completed"),
        stream=CONV_JSTREAM,
        durable=durable,
        pull_sub=PullSub(batch_size=CONCURRENCY, timeout=2.0),
        config=ConsumerConfig(ack_wait=30, deliver_policy=deliver_policy),
        ack_policy=AckPolicy.MANUAL,
        max_workers=CONCURRENCY,
        title="workers/message.completed",
        description="After each assistant reply: the conversation's title, summary and tags (conversation.insights).",
    )
    async def on_completed(event: MessageCompleted, msg: NatsMessage) -> None:
        try:
            await refresh_insights(workers, event, stream_seq(msg))
        except Exception:
            await msg.nack(delay=FAILURE_DELAY_S)
            raise
        await msg.ack()
