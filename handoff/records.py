"""What the handoff service keeps per conversation and per agent (JSON values in NATS KV)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from shared.events.base import utcnow
from shared.events.handoff import ConversationState, HandoffTrigger

PresenceStatus = Literal["online", "away", "offline"]


class ConversationRecord(BaseModel):
    """One conversation's handoff state. ``revision`` is the KV revision it was read at (CAS)."""

    tenant_id: str = Field(description="Tenant the conversation belongs to.")
    conversation_id: str = Field(description="The conversation.")
    state: ConversationState = Field("ai", description="ai, queued, assigned or resolved.")
    agent_id: str | None = Field(None, description="The assigned agent while state is 'assigned'.")
    trigger: HandoffTrigger | None = Field(None, description="What last asked for a human.")
    reason: str = Field("", description="Why it is in this state, in words an agent can read.")
    queued_at: datetime | None = Field(None, description="When it last entered the queue (orders the queue).")
    assigned_at: datetime | None = Field(None, description="When the current agent joined.")
    updated_at: datetime = Field(default_factory=utcnow, description="Last state change.")
    requeues: int = Field(0, description="How often an assigned agent dropped it.")
    revision: int = Field(0, description="KV revision of this record; 0 when not stored yet.")
    # Events of the transition that produced this revision, written in the same compare-and-set and
    # cleared once published: a crash in between leaves them here to be published again (with the
    # same ids, so JetStream keeps one copy). Internal: never in the API or the console frames.
    outbox: SkipJsonSchema[list[dict[str, Any]]] = Field(default_factory=list, exclude=True)


class AgentPresence(BaseModel):
    """An agent's presence and capacity, shared by every handoff replica."""

    tenant_id: str
    agent_id: str
    name: str = Field(description="Display name shown to visitors.")
    avatar_url: str | None = None
    status: PresenceStatus = Field("offline", description="online: gets assignments; away: keeps current ones.")
    capacity: int = Field(3, ge=0, description="Conversations auto-assignment may give this agent at once.")
    last_seen: datetime | None = Field(None, description="Last heartbeat (console socket or presence call).")
    last_assigned_at: datetime | None = Field(None, description="Round robin among equally loaded agents.")
    revision: int = 0
