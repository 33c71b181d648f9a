"""Bus handlers of the hallucination guard: thin, the logic is in service.py."""

from __future__ import annotations

import logging
from typing import Any

from faststream.nats import NatsBroker

from guards.hallucination.service import HallucinationGuard
from shared import tracing
from shared.events import parse_event
from shared.logging import bound_contextvars
from shared.subjects import Channel, kind_pattern

log = logging.getLogger(__name__)

# One subscription for created, delta, completed and cancelled: NATS keeps their order on it,
# so a reply's sources (MessageCreated, republished from SB_CONV) arrive before its deltas.
REPLY_EVENTS = kind_pattern(Channel.PUSH, "message.*")
TYPES = frozenset({"message.created", "message.delta", "message.completed", "message.cancelled"})


def register_handlers(broker: NatsBroker, guard: HallucinationGuard) -> None:
    @broker.subscriber(
        REPLY_EVENTS,
        title="hallucination-guard/reply-events",
        description="Streaming replies (created with sources, deltas, completed, cancelled) to check.",
    )
    async def on_reply_event(body: Any) -> None:
        # The body alone, no `msg: NatsMessage`: FastStream resolves a context argument in a
        # worker thread (fast_depends runs custom fields' sync resolvers through the thread
        # pool), a thread hop per reply event that was a third of this service's CPU.
        if not isinstance(body, dict) or body.get("type") not in TYPES:
            return
        try:
            event = parse_event(body)
        except ValueError as exc:
            log.warning("ignoring a malformed %s event: %s", body.get("type"), exc)
            return
        ids = {"tenant_id": event.tenant_id, "conversation_id": event.conversation_id}
        if tracing.ENABLED:  # the message's headers, from FastStream's context (no thread hop)
            headers = getattr(broker.context.get_local("message"), "headers", None)
            with bound_contextvars(**ids), tracing.span("guard check", headers, event_type=event.type):
                guard.handle(event)
        elif event.type == "message.delta":
            # The hot path: no ids to bind here, the reply's checking task (started on its
            # message.created, below) carries them in its context.
            guard.handle(event)
        else:
            with bound_contextvars(**ids):
                guard.handle(event)
