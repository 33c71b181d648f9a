"""Handoff events: a human is asked for, joins, leaves. The handoff service owns the state machine."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from shared.events.base import Event
from shared.events.messages import Author
from shared.subjects import Channel

ConversationState = Literal["ai", "queued", "assigned", "resolved"]
HandoffTrigger = Literal["visitor", "sentiment", "orchestrator", "agent", "keyword"]


class HandoffRequested(Event):
    """Someone or something asks for a human (internal; the handoff service decides)."""

    channel: ClassVar[Channel] = Channel.OPS
    type: Literal["handoff.requested"] = "handoff.requested"
    trigger: HandoffTrigger
    reason: str = Field("", description="Why, in words an agent can read.")


HandoffOutcome = Literal["back_to_ai", "resolved"]
StateActor = Literal["visitor", "agent", "system"]


class HandoffQueued(Event):
    """The conversation waits for a human (visitor-visible)."""

    channel: ClassVar[Channel] = Channel.CONV
    type: Literal["handoff.queued"] = "handoff.queued"
    trigger: HandoffTrigger = Field(description="What asked for a human.")
    reason: str = Field("", description="Why, in words an agent can read.")
    position: int | None = Field(None, description="1-based place in the tenant's queue when it was queued.")


class HandoffAccepted(Event):
    """A human joined: the AI stops (a streaming reply is cancelled) and the widget shows who."""

    channel: ClassVar[Channel] = Channel.CONV
    type: Literal["handoff.accepted"] = "handoff.accepted"
    agent: Author = Field(description="Who joined.")
    trigger: HandoffTrigger = Field("agent", description="What asked for a human in the first place.")


class HandoffEnded(Event):
    """The human left: the AI answers again (back_to_ai) or the conversation is closed (resolved)."""

    channel: ClassVar[Channel] = Channel.CONV
    type: Literal["handoff.ended"] = "handoff.ended"
    outcome: HandoffOutcome = Field(description="back_to_ai: the assistant answers again; resolved: closed.")
    agent: Author | None = Field(None, description="The agent who left, if one had joined.")
    reason: str = Field("", description="Why, e.g. 'handed_back', 'resolved', 'no_agent_online'.")


class HandoffStateChanged(Event):
    """Internal record of every state transition: webhooks, the recorder and audits read it."""

    channel: ClassVar[Channel] = Channel.OPS
    type: Literal["handoff.state"] = "handoff.state"
    previous: ConversationState = Field(description="State before the transition.")
    state: ConversationState = Field(description="State after the transition.")
    actor: StateActor = Field(description="Who made the transition.")
    agent_id: str | None = Field(None, description="The agent who made it or is assigned after it.")
    reason: str = Field("", description="Why, e.g. 'claimed', 'auto_assigned', 'agent_timeout'.")
    revision: int = Field(description="Revision of the conversation record after the transition (orders them).")


class AgentNote(Event):
    """An internal note an agent wrote on a conversation: for agents only, on ops, so never sent to a widget
    (the widget follows ``push``, which carries ``conv`` events only) nor given to the assistant."""

    channel: ClassVar[Channel] = Channel.OPS
    type: Literal["agent.note"] = "agent.note"
    note_id: str = Field(description="Id of the note (the same client id from the same agent gives the same one).")
    agent_id: str = Field(description="The agent who wrote it.")
    author: Author = Field(description="Their display name, as other agents see it.")
    text: str = Field(max_length=8000, description="The note, as the agent wrote it.")
