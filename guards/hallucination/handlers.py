"""Bus handlers of the hallucination guard: thin, the logic is in service.py."""

from __future__ import annotations

import logging

from faststream.nats import NatsBroker
from faststream.nats.annotations import NatsMessage

from guards.hallucination.service import HallucinationGuard
from shared.events import parse_event
from shared.subjects import Channel, kind_pattern

log = logging.getLogger(__name__)

# One subscription for created, delta, completed and cancelled: NATS keeps their order on it,
# so a reply's sources (MessageCreated, republished from SB_CONV) arrive before its deltas.
REPLY_EVENTS = kind_pattern(Channel.PUSH, "message.*")
KINDS = frozenset({"created", "delta", "completed", "cancelled"})


def register_handlers(broker: NatsBroker, guard: HallucinationGuard) -> None:
    @broker.subscriber(
        REPLY_EVENTS,
        title="hallucination-guard/reply-events",
        description="Streaming replies (created with sources, deltas, completed, cancelled) to check.",
    )
    async def on_reply_event(msg: NatsMessage) -> None:
        # The raw message, not a typed body: this runs once per token, and parsing the JSON once
        # (by its "type") is much cheaper than FastStream decoding it into a dict first.
        if msg.raw_message.subject.rsplit(".", 1)[-1] not in KINDS:
            return
        try:
            event = parse_event(msg.body)
        except ValueError as exc:
            log.warning("ignoring a malformed event on %s: %s", msg.raw_message.subject, exc)
            return
        guard.handle(event)
