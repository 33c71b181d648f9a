"""What the agent API returns and accepts (public models built from the stored records)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from handoff.context import Handoff
from handoff.records import AgentPresence, ConversationRecord, PresenceStatus
from handoff.summaries import VisitorView, visitor_view
from handoff.transitions import queue_position
from shared.events import Component
from shared.events.handoff import ConversationState


class ConversationView(ConversationRecord):
    position: int | None = Field(None, description="1-based place in the queue while state is 'queued'.")
    agent_name: str | None = Field(None, description="Display name of the assigned agent.")
    visitor: VisitorView | None = Field(
        None, description="Who the visitor is, the last message, their page, language and mood."
    )


class AgentView(AgentPresence):
    load: int = Field(0, description="Conversations assigned to this agent now.")


class SendMessage(BaseModel):
    text: str = Field("", max_length=8000, description="What the agent writes to the visitor.")
    components: list[Component] = Field(
        default_factory=list,
        max_length=10,
        description="Components shown with the message (quick replies, a card...); see docs/components.md. "
        "A visitor's use of them comes back to the console as a widget.action event.",
    )
    client_id: str | None = Field(
        None, max_length=64, description="Chosen by the console; resending the same id sends the message once."
    )

    @model_validator(mode="after")
    def _says_something(self) -> SendMessage:
        if not self.text.strip() and not self.components:
            raise ValueError("Expected text or at least one component")
        return self


class SentMessage(BaseModel):
    message_id: str = Field(description="Id of the agent message (MessageCompleted.message_id).")
    seq: int | None = Field(None, description="Its sequence in the conversation's SB_CONV history.")


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=8000, description="The note, for the tenant's agents only.")
    client_id: str | None = Field(
        None, max_length=64, description="Chosen by the console; resending the same id adds the note once."
    )

    @model_validator(mode="after")
    def _says_something(self) -> NoteIn:
        if not self.text.strip():
            raise ValueError("Expected a note with text")
        return self


class TransferIn(BaseModel):
    agent_id: str = Field(max_length=64, description="The agent of the same tenant who takes it (online or away).")


class TypingIn(BaseModel):
    on: bool = Field(True, description="True while the agent types; false when they stop.")


class PresenceIn(BaseModel):
    status: PresenceStatus = Field(description="online: gets new conversations; away: keeps current ones only.")
    capacity: int | None = Field(None, ge=0, le=100, description="How many conversations auto-assignment may give.")


def listing(
    h: Handoff, tenant_id: str, state: ConversationState | None, query: str | None = None
) -> list[ConversationRecord]:
    """The queue oldest first; any other state most recently changed first; only matches of ``query`` if given."""
    records = h.store.queue(tenant_id) if state == "queued" else h.store.of_tenant(tenant_id, state)
    if state != "queued":
        records.sort(key=lambda r: r.updated_at, reverse=True)
    if query and query.strip():
        records = [r for r in records if matches(h, r, query)]
    return records


def matches(h: Handoff, record: ConversationRecord, query: str) -> bool:
    """Every word of ``query`` is in what the console shows of it (name, message, page, language, ids, reason)."""
    view = visitor_view(h.store.summaries.get((record.tenant_id, record.conversation_id)), record.conversation_id)
    fields = (view.label, view.email, view.visitor_id, view.last_message, view.page, view.language, view.mood_words)
    haystack = " ".join(f or "" for f in (*fields, record.conversation_id, record.reason, record.trigger)).casefold()
    return all(word in haystack for word in query.casefold().split())


def conversation_view(h: Handoff, record: ConversationRecord) -> ConversationView:
    agent = h.agents.get(record.tenant_id, record.agent_id) if record.agent_id else None
    return ConversationView(
        **record.model_dump(),
        position=queue_position(h, record) if record.state == "queued" else None,
        agent_name=agent.name if agent else None,
        visitor=visitor_view(h.store.summaries.get((record.tenant_id, record.conversation_id)), record.conversation_id),
    )


def agent_view(h: Handoff, presence: AgentPresence) -> AgentView:
    return AgentView(**presence.model_dump(), load=h.store.loads(presence.tenant_id).get(presence.agent_id, 0))
