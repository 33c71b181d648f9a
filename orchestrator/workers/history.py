"""A conversation's stored events, read straight from the SB_CONV stream."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from nats.js.errors import NotFoundError

from shared.events import Event, parse_event
from shared.subjects import CONV_STREAM, Channel, conversation_pattern

if TYPE_CHECKING:
    from nats.js import JetStreamContext

log = logging.getLogger(__name__)


async def conversation_events(js: JetStreamContext, tenant_id: str, conversation_id: str, through: int) -> list[Event]:
    """Every known event of the conversation with stream sequence <= ``through``, in order."""
    pattern = conversation_pattern(Channel.CONV, tenant_id, conversation_id)
    events: list[Event] = []
    seq = 1
    while seq <= through:
        try:
            raw = await js.get_msg(CONV_STREAM, seq=seq, subject=pattern, next=True, direct=True)
        except NotFoundError:
            break
        if raw.seq is None or raw.seq > through:
            break
        try:
            event = parse_event(raw.data or b"{}")
        except ValueError:
            log.debug("skipping unknown event at seq %s", raw.seq)
        else:
            event.seq = raw.seq
            events.append(event)
        seq = raw.seq + 1
    return events
