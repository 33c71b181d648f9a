"""Handoff events: a human is asked for, joins, leaves. The handoff service owns the state machine."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from shared.events.base import Event
from shared.subjects import Channel

ConversationState = Literal["ai", "queued", "assigned", "resolved"]
HandoffTrigger = Literal["visitor", "sentiment", "orchestrator", "agent", "keyword"]


class HandoffRequested(Event):
    """Someone or something asks for a human (internal; the handoff service decides)."""

    channel: ClassVar[Channel] = Channel.OPS
    type: Literal["handoff.requested"] = "handoff.requested"
    trigger: HandoffTrigger
    reason: str = Field("", description="Why, in words an agent can read.")
