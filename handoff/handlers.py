"""Bus handlers: thin, each calls one plain function. Registered by the app's lifespan."""

from __future__ import annotations

import logging

import httpx
from faststream import AckPolicy
from faststream.nats import ConsumerConfig, DeliverPolicy, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage

from handoff.context import Handoff, UnknownTenant
from handoff.conversations import note_visitor_activity, request_handoff
from handoff.states import TransitionNotAllowed
from handoff.webhooks import notify
from shared.bus import CONV_JSTREAM, OPS_JSTREAM
from shared.db.engine import get_engine, make_sessionmaker
from shared.events import HandoffRequested, HandoffStateChanged, UserMessage
from shared.subjects import Channel, kind_pattern

log = logging.getLogger(__name__)

# Durable pull consumers: replicas share them, every message is handled by one replica and
# acked after the handler returns (nacked, so redelivered, when it raises).
REQUESTS_DURABLE = "handoff"
ACTIVITY_DURABLE = "handoff-activity"
WEBHOOKS_DURABLE = "handoff-webhooks"


def register_handlers(broker: NatsBroker, h: Handoff, http: httpx.AsyncClient) -> None:
    @broker.subscriber(
        kind_pattern(Channel.OPS, "handoff.requested"),
        stream=OPS_JSTREAM,
        durable=REQUESTS_DURABLE,
        pull_sub=PullSub(batch_size=1, timeout=1.0),
        config=ConsumerConfig(max_deliver=20, ack_wait=30),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        description="A visitor, the sentiment monitor, a keyword or the orchestrator asks for a human.",
    )
    async def on_handoff_requested(event: HandoffRequested) -> None:
        try:
            await request_handoff(h, event)
        except (TransitionNotAllowed, UnknownTenant) as e:
            log.warning("handoff request %s dropped: %s", event.id, e)

    @broker.subscriber(
        kind_pattern(Channel.CONV, "message.user"),
        stream=CONV_JSTREAM,
        durable=ACTIVITY_DURABLE,
        pull_sub=PullSub(batch_size=1, timeout=1.0),
        config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, max_deliver=5, ack_wait=30),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        description="Visitor messages make a conversation listable and reopen resolved ones.",
    )
    async def on_user_message(event: UserMessage) -> None:
        await note_visitor_activity(h, event.tenant_id, event.conversation_id)

    @broker.subscriber(
        kind_pattern(Channel.OPS, "handoff.state"),
        stream=OPS_JSTREAM,
        durable=WEBHOOKS_DURABLE,
        pull_sub=PullSub(batch_size=1, timeout=1.0),
        config=ConsumerConfig(max_deliver=3, ack_wait=300),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        description="State changes go to the tenant's webhook, signed and retried.",
    )
    async def on_state_changed(event: HandoffStateChanged, msg: NatsMessage) -> None:
        tenant = h.tenants.by_id(event.tenant_id)
        if tenant is not None and tenant.handoff.webhook_url:
            delivered = int(msg.raw_message.metadata.num_delivered)
            await notify(
                http, tenant, event, h.config.webhook_attempts, h.config.webhook_backoff_s,
                sessions=make_sessionmaker(get_engine(h.settings.database_url)), timeout_s=h.config.webhook_timeout_s,
                first_attempt=(delivered - 1) * h.config.webhook_attempts + 1,
            )  # fmt: skip
