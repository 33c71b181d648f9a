"""What the visitor (and every agent console) is told when a conversation changes hands.

Builders of the events, which a transition puts in its record's outbox (transitions.py), so they
are published even if this replica dies right after the state change. Event ids derive from the
record revision the transition started from, so a retried or replayed publication is stored once
(JetStream de-duplicates on them).
"""

from __future__ import annotations

from handoff.agents import AgentAccount
from handoff.context import Handoff
from handoff.records import ConversationRecord
from handoff.transitions import author_of
from shared.bus import emit
from shared.events import Event, HandoffAccepted, HandoffEnded, HandoffQueued, Notice


def queued(h: Handoff, record: ConversationRecord, reason: str) -> HandoffQueued:
    """``record``: the conversation as it is being queued (not in the stored queue yet)."""
    ahead = [r for r in h.store.queue(record.tenant_id) if r.conversation_id != record.conversation_id]
    return HandoffQueued(
        id=f"queued-{record.conversation_id}-{record.revision}",
        tenant_id=record.tenant_id,
        conversation_id=record.conversation_id,
        trigger=record.trigger or "visitor",
        reason=reason,
        position=len(ahead) + 1,
    )


def accepted(record: ConversationRecord, agent: AgentAccount) -> HandoffAccepted:
    return HandoffAccepted(
        id=f"accepted-{record.conversation_id}-{record.revision}",
        tenant_id=record.tenant_id,
        conversation_id=record.conversation_id,
        agent=author_of(agent),
        trigger=record.trigger or "agent",
    )


def ended(
    record: ConversationRecord, agent: AgentAccount | None, reason: str, event_id: str | None = None
) -> HandoffEnded:
    """``event_id`` when no transition happened (the revision alone would repeat across requests)."""
    return HandoffEnded(
        id=event_id or f"ended-{record.conversation_id}-{record.revision}",
        tenant_id=record.tenant_id,
        conversation_id=record.conversation_id,
        outcome="resolved" if record.state == "resolved" else "back_to_ai",
        agent=author_of(agent) if agent else None,
        reason=reason,
    )


def notice(record: ConversationRecord, code: str, text: str, event_id: str) -> Notice:
    return Notice(id=event_id, tenant_id=record.tenant_id, conversation_id=record.conversation_id, code=code, text=text)


async def publish(h: Handoff, *events: Event) -> None:
    """Publish events that belong to no transition (nothing changed, so there is no outbox)."""
    for event in events:
        await emit(h.broker, event)
