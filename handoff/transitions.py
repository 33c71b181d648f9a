"""Moving one conversation between states: compare-and-set on its record, then the mode key, then the event.

Each change is a compare-and-set on the conversation record (``store.Conflict`` if someone
else got there first), then the agreed mode key the orchestrator reads, then a
HandoffStateChanged on ops (webhooks, recorder). What the visitor is told is in announce.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from handoff.agents import AgentAccount
from handoff.context import Handoff
from handoff.records import ConversationRecord
from handoff.states import check_transition
from shared.bus import emit
from shared.events import Author, HandoffStateChanged
from shared.events.base import utcnow
from shared.events.handoff import ConversationState, HandoffTrigger, StateActor


class NotFound(LookupError):
    """No such conversation in the agent's tenant (another tenant's looks exactly the same)."""


class NotAssignedToYou(Exception):
    """The conversation is not assigned to this agent (it is someone else's or nobody's)."""


def author_of(agent: AgentAccount) -> Author:
    return Author(name=agent.name, avatar_url=agent.avatar_url)


async def current(h: Handoff, tenant_id: str, conversation_id: str) -> ConversationRecord:
    """The stored record, or a fresh 'ai' one (revision 0) for a conversation never handed off."""
    record = await h.store.load_conversation(tenant_id, conversation_id)
    return record or ConversationRecord(tenant_id=tenant_id, conversation_id=conversation_id)


async def existing(h: Handoff, agent: AgentAccount, conversation_id: str) -> ConversationRecord:
    record = await h.store.load_conversation(agent.tenant_id, conversation_id)
    if record is None:
        raise NotFound(f"No conversation {conversation_id!r} in tenant {agent.tenant_id!r}")
    return record


async def change_state(
    h: Handoff,
    record: ConversationRecord,
    target: ConversationState,
    actor: StateActor,
    *,
    reason: str,
    agent_id: str | None = None,
    trigger: HandoffTrigger | None = None,
    now: datetime | None = None,
    announce: Callable[[ConversationRecord], Awaitable[None]] | None = None,
) -> ConversationRecord:
    """Move one conversation to ``target``; raises TransitionNotAllowed or store.Conflict.

    ``announce`` publishes what the visitor is told. Its order against the mode key matters
    to the orchestrator, which answers only while the mode is not "assigned": going back to
    the AI, handoff.ended is stored first (so a visitor message stored before it is known to
    be the agent's); going to an agent, the mode is set first (so once handoff.accepted is
    seen, no new reply starts).
    """
    check_transition(record.state, target, actor)
    now = now or utcnow()
    update: dict[str, object] = {"state": target, "reason": reason, "updated_at": now}
    update["agent_id"] = agent_id if target == "assigned" else None
    if target == "assigned":
        update["assigned_at"] = now
    if target == "queued":
        update["queued_at"] = now
        update["assigned_at"] = None
        if record.state == "assigned":
            update["requeues"] = record.requeues + 1
    if trigger is not None:
        update["trigger"] = trigger
    saved = await h.store.save_conversation(record.model_copy(update=update))
    if announce is not None and target == "ai":
        await announce(saved)
    await h.store.set_mode(record.tenant_id, record.conversation_id, target)
    if announce is not None and target != "ai":
        await announce(saved)
    await emit(
        h.broker,
        HandoffStateChanged(
            id=f"state-{record.conversation_id}-{saved.revision}",
            tenant_id=record.tenant_id,
            conversation_id=record.conversation_id,
            previous=record.state,
            state=target,
            actor=actor,
            agent_id=agent_id or record.agent_id,
            reason=reason,
            revision=saved.revision,
        ),
    )
    return saved


def queue_position(h: Handoff, record: ConversationRecord) -> int | None:
    ids = [r.conversation_id for r in h.store.queue(record.tenant_id)]
    return ids.index(record.conversation_id) + 1 if record.conversation_id in ids else None


def online_agents(h: Handoff, tenant_id: str) -> list[str]:
    return [p.agent_id for p in h.store.agents_of(tenant_id) if p.status == "online"]


def require_mine(record: ConversationRecord, agent: AgentAccount) -> None:
    if record.state != "assigned" or record.agent_id != agent.id:
        who = "nobody" if record.state != "assigned" else "another agent"
        raise NotAssignedToYou(
            f"Expected conversation {record.conversation_id!r} to be assigned to you, but it is {record.state} ({who})"
        )
