"""Bus handlers: thin, each calls one plain function. Registered by the app's lifespan."""

from __future__ import annotations

import logging

import httpx
from faststream import AckPolicy
from faststream.nats import ConsumerConfig, DeliverPolicy, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage

from handoff import summaries
from handoff.context import Handoff, UnknownTenant
from handoff.conversations import note_visitor_activity, request_handoff
from handoff.states import TransitionNotAllowed
from handoff.webhooks import notify
from shared.bus import CONV_JSTREAM, OPS_JSTREAM
from shared.db.engine import get_engine, make_sessionmaker
from shared.events import HandoffRequested, HandoffStateChanged, MessageCompleted, SentimentScored, UserMessage
from shared.redelivery import retry_or_dead_letter
from shared.subjects import CONV_STREAM, OPS_STREAM, Channel, kind_pattern

log = logging.getLogger(__name__)

# Durable pull consumers: replicas share them, every message is handled by one replica and
# acked after the handler returns. A failure comes back after a delay, a few times, then goes
# to SB_DLQ (shared.redelivery): max_deliver is unlimited so the server never drops one silently.
REQUESTS_DURABLE = "handoff"
ACTIVITY_DURABLE = "handoff-activity"
WEBHOOKS_DURABLE = "handoff-webhooks"
REPLIES_DURABLE = "handoff-replies"  # finished replies: the last message of a conversation's summary
MOODS_DURABLE = "handoff-moods"  # sentiment scores: its mood
DURABLES = (
    (OPS_STREAM, REQUESTS_DURABLE),
    (CONV_STREAM, ACTIVITY_DURABLE),
    (OPS_STREAM, WEBHOOKS_DURABLE),
    (CONV_STREAM, REPLIES_DURABLE),
    (OPS_STREAM, MOODS_DURABLE),
)
# One message per fetch returns as soon as it arrives, so a longer pull wait costs no latency;
# it only sets how often an idle consumer asks again (each ask is a request to nats-server).
FETCH_TIMEOUT_S = 5.0


def register_handlers(broker: NatsBroker, h: Handoff, http: httpx.AsyncClient) -> None:
    @broker.subscriber(
        kind_pattern(Channel.OPS, "handoff.requested"),
        stream=OPS_JSTREAM,
        durable=REQUESTS_DURABLE,
        pull_sub=PullSub(batch_size=1, timeout=FETCH_TIMEOUT_S),
        config=ConsumerConfig(max_deliver=-1, ack_wait=30),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        description="A visitor, the sentiment monitor, a keyword or the orchestrator asks for a human.",
    )
    async def on_handoff_requested(event: HandoffRequested, msg: NatsMessage) -> None:
        try:
            await request_handoff(h, event)
        except (TransitionNotAllowed, UnknownTenant) as e:
            log.warning("handoff request %s dropped: %s", event.id, e)
        except Exception as exc:
            await retry_or_dead_letter(broker.connection.jetstream(), msg, REQUESTS_DURABLE, exc)

    @broker.subscriber(
        kind_pattern(Channel.CONV, "message.user"),
        stream=CONV_JSTREAM,
        durable=ACTIVITY_DURABLE,
        pull_sub=PullSub(batch_size=1, timeout=FETCH_TIMEOUT_S),
        config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, max_deliver=-1, ack_wait=30),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        description="Visitor messages make a conversation listable, reopen resolved ones and update its summary.",
    )
    async def on_user_message(event: UserMessage, msg: NatsMessage) -> None:
        try:
            await note_visitor_activity(h, event.tenant_id, event.conversation_id)
            await summaries.note(h.store, event)
        except Exception as exc:
            await retry_or_dead_letter(broker.connection.jetstream(), msg, ACTIVITY_DURABLE, exc)

    @broker.subscriber(
        kind_pattern(Channel.CONV, "message.completed"),
        stream=CONV_JSTREAM,
        durable=REPLIES_DURABLE,
        pull_sub=PullSub(batch_size=1, timeout=FETCH_TIMEOUT_S),
        config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, max_deliver=-1, ack_wait=30),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        description="A finished reply (assistant or agent) is the conversation's last message in the console list.",
    )
    async def on_reply(event: MessageCompleted, msg: NatsMessage) -> None:
        try:
            await summaries.note(h.store, event)
        except Exception as exc:
            await retry_or_dead_letter(broker.connection.jetstream(), msg, REPLIES_DURABLE, exc)

    @broker.subscriber(
        kind_pattern(Channel.OPS, "sentiment.scored"),
        stream=OPS_JSTREAM,
        durable=MOODS_DURABLE,
        pull_sub=PullSub(batch_size=1, timeout=FETCH_TIMEOUT_S),
        config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, max_deliver=-1, ack_wait=30),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        description="The visitor's mood, shown in words in the console list and used to sort the queue.",
    )
    async def on_sentiment(event: SentimentScored, msg: NatsMessage) -> None:
        try:
            await summaries.note(h.store, event)
        except Exception as exc:
            await retry_or_dead_letter(broker.connection.jetstream(), msg, MOODS_DURABLE, exc)

    @broker.subscriber(
        kind_pattern(Channel.OPS, "handoff.state"),
        stream=OPS_JSTREAM,
        durable=WEBHOOKS_DURABLE,
        pull_sub=PullSub(batch_size=1, timeout=FETCH_TIMEOUT_S),
        config=ConsumerConfig(max_deliver=-1, ack_wait=300),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        description="State changes go to the tenant's webhook, signed and retried.",
    )
    async def on_state_changed(event: HandoffStateChanged, msg: NatsMessage) -> None:
        tenant = h.tenants.by_id(event.tenant_id)
        if tenant is None or not tenant.handoff.webhook_url:
            return
        delivered = int(msg.raw_message.metadata.num_delivered)
        try:
            await notify(
                http, tenant, event, h.config.webhook_attempts, h.config.webhook_backoff_s,
                sessions=make_sessionmaker(get_engine(h.settings.database_url)), timeout_s=h.config.webhook_timeout_s,
                first_attempt=(delivered - 1) * h.config.webhook_attempts + 1,
            )  # fmt: skip
        except Exception as exc:  # notify retried it webhook_attempts times already: three rounds, then SB_DLQ
            await retry_or_dead_letter(broker.connection.jetstream(), msg, WEBHOOKS_DURABLE, exc, max_tries=3)
