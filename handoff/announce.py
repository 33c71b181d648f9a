"""What the visitor (and every agent console) is told when a conversation changes hands.

Event ids derive from the record revision, so a retried operation publishes each event once
(JetStream de-duplicates on them).
"""

from __future__ import annotations

from handoff.agents import AgentAccount
from handoff.context import Handoff
from handoff.records import ConversationRecord
from handoff.transitions import author_of, queue_position
from shared.bus import emit
from shared.events import HandoffAccepted, HandoffEnded, HandoffQueued, Notice


async def queued(h: Handoff, record: ConversationRecord, reason: str) -> None:
    await emit(
        h.broker,
        HandoffQueued(
            id=f"queued-{record.conversation_id}-{record.revision}",
            tenant_id=record.tenant_id,
            conversation_id=record.conversation_id,
            trigger=record.trigger or "visitor",
            reason=reason,
            position=queue_position(h, record),
        ),
    )


async def accepted(h: Handoff, record: ConversationRecord, agent: AgentAccount) -> None:
    await emit(
        h.broker,
        HandoffAccepted(
            id=f"accepted-{record.conversation_id}-{record.revision}",
            tenant_id=record.tenant_id,
            conversation_id=record.conversation_id,
            agent=author_of(agent),
            trigger=record.trigger or "agent",
        ),
    )


async def ended(
    h: Handoff, record: ConversationRecord, agent: AgentAccount | None, reason: str, event_id: str | None = None
) -> None:
    """``event_id`` when no transition happened (the revision alone would repeat across requests)."""
    await emit(
        h.broker,
        HandoffEnded(
            id=event_id or f"ended-{record.conversation_id}-{record.revision}",
            tenant_id=record.tenant_id,
            conversation_id=record.conversation_id,
            outcome="resolved" if record.state == "resolved" else "back_to_ai",
            agent=author_of(agent) if agent else None,
            reason=reason,
        ),
    )


async def notice(h: Handoff, record: ConversationRecord, code: str, text: str, event_id: str) -> None:
    await emit(
        h.broker,
        Notice(id=event_id, tenant_id=record.tenant_id, conversation_id=record.conversation_id, code=code, text=text),
    )
