"""Handoff operations: triggers, claims, hand-back, resolve, re-queue and automatic assignment."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from handoff import announce
from handoff.agents import AgentAccount
from handoff.assignment import pick_agent
from handoff.capacity import reserve_slot
from handoff.context import Handoff
from handoff.records import AgentPresence, ConversationRecord
from handoff.store import Conflict
from handoff.transitions import (
    Announce,
    NotAssignedToYou,
    NotFound,
    change_state,
    current,
    existing,
    online_agents,
    require_mine,
)
from shared.events import Event, HandoffRequested
from shared.events.base import utcnow
from shared.events.handoff import StateActor

log = logging.getLogger(__name__)


def _no_agent_events(h: Handoff, record: ConversationRecord, event_id: str) -> list[Event]:
    tenant = h.tenant(record.tenant_id)
    text = f"No one from our team is online right now, so {tenant.assistant_name} will keep helping you."
    return [
        announce.notice(record, "no_agent_online", text, f"{event_id}-notice"),
        announce.ended(record, None, "no_agent_online", f"{event_id}-ended"),
    ]


async def _no_agent_back_to_ai(h: Handoff, record: ConversationRecord, event_id: str) -> ConversationRecord:
    """Tenant policy back_to_ai with nobody online: tell the visitor the assistant carries on."""
    if record.state == "queued":
        return await change_state(
            h,
            record,
            "ai",
            "system",
            reason="no_agent_online",
            announce=lambda pending: _no_agent_events(h, pending, event_id),
        )
    await announce.publish(h, *_no_agent_events(h, record, event_id))
    return record


LEAVE_MESSAGE = "No one is online right now. Leave your message here and an agent will answer as soon as they are back."


async def request_handoff(h: Handoff, request: HandoffRequested) -> ConversationRecord:
    """A trigger asked for a human: queue (or apply the no-agent policy), then try to assign."""
    tenant = h.tenant(request.tenant_id)
    record = await current(h, request.tenant_id, request.conversation_id)
    if record.state in ("queued", "assigned"):
        return record  # already waiting or served; a repeated ask changes nothing
    actor: StateActor = "visitor" if request.trigger == "visitor" else "system"
    nobody = not online_agents(h, tenant.id)
    if nobody and tenant.handoff.when_no_agent == "back_to_ai":
        return await _no_agent_back_to_ai(h, record, request.id)

    def told(pending: ConversationRecord) -> list[Event]:
        events: list[Event] = [announce.queued(h, pending, request.reason)]
        if nobody:
            events.append(announce.notice(pending, "leave_message", LEAVE_MESSAGE, f"{request.id}-notice"))
        return events

    record = await change_state(
        h, record, "queued", actor, reason=request.reason, trigger=request.trigger, announce=told
    )
    if nobody:
        return record
    await auto_assign(h, tenant.id)
    return await current(h, tenant.id, record.conversation_id)


async def claim(h: Handoff, agent: AgentAccount, conversation_id: str) -> ConversationRecord:
    """An agent takes a queued conversation, or takes over one the AI is handling."""
    record = await existing(h, agent, conversation_id)
    if record.state == "assigned":
        if record.agent_id == agent.id:
            return record
        raise NotAssignedToYou(f"Conversation {conversation_id!r} is already assigned to another agent")
    taken_over = record.state != "queued"
    return await change_state(
        h,
        record,
        "assigned",
        "agent",
        agent_id=agent.id,
        reason="taken_over" if taken_over else "claimed",
        trigger="agent" if taken_over else None,
        announce=_accepted_by(agent),
    )


class TargetUnavailable(Exception):
    """The agent a conversation would be transferred to cannot take it (offline, or the same agent)."""


async def transfer(h: Handoff, agent: AgentAccount, conversation_id: str, to_agent_id: str) -> ConversationRecord:
    """The assigned agent (or a supervisor) gives the conversation to another agent of the tenant, who
    must be online or away; the visitor is told who joined, as on a claim."""
    record = await existing(h, agent, conversation_id)
    if agent.role != "supervisor" or record.state != "assigned":
        require_mine(record, agent)
    target = h.agents.get(agent.tenant_id, to_agent_id)
    if target is None:
        raise NotFound(f"No agent {to_agent_id!r} in tenant {agent.tenant_id!r}")
    if target.id == record.agent_id:
        raise TargetUnavailable(f"Conversation {conversation_id!r} is already assigned to {target.name}")
    key = (target.tenant_id, target.id)
    presence = h.store.agents.get(key) or await h.store.load_agent(*key)
    if presence is None or presence.status == "offline":
        raise TargetUnavailable(f"Expected {target.name} to be online or away to take it, but they are offline")
    return await change_state(
        h, record, "assigned", "agent", agent_id=target.id, reason="transferred", announce=_accepted_by(target)
    )


def _accepted_by(agent: AgentAccount) -> Announce:
    return lambda pending: [announce.accepted(pending, agent)]


async def hand_back(h: Handoff, agent: AgentAccount, conversation_id: str) -> ConversationRecord:
    """The assigned agent gives the conversation back to the AI (or an agent drops a queued one)."""
    record = await existing(h, agent, conversation_id)
    if record.state != "queued":
        require_mine(record, agent)
    by = agent if record.state == "assigned" else None
    saved = await change_state(
        h,
        record,
        "ai",
        "agent",
        agent_id=agent.id,
        reason="handed_back",
        announce=lambda pending: [announce.ended(pending, by, "handed_back")],
    )
    await auto_assign(h, agent.tenant_id)
    return saved


async def resolve(h: Handoff, agent: AgentAccount, conversation_id: str) -> ConversationRecord:
    record = await existing(h, agent, conversation_id)
    if record.state == "assigned":
        require_mine(record, agent)
    by = agent if record.state == "assigned" else None
    saved = await change_state(
        h,
        record,
        "resolved",
        "agent",
        agent_id=agent.id,
        reason="resolved",
        announce=lambda pending: [announce.ended(pending, by, "resolved")],
    )
    await auto_assign(h, agent.tenant_id)
    return saved


async def requeue(h: Handoff, record: ConversationRecord, reason: str) -> ConversationRecord:
    """The assigned agent disconnected or timed out: back in the queue (or to the AI if nobody is left)."""
    saved = await change_state(
        h, record, "queued", "system", reason=reason, announce=lambda pending: [announce.queued(h, pending, reason)]
    )
    if not online_agents(h, saved.tenant_id) and h.tenant(saved.tenant_id).handoff.when_no_agent == "back_to_ai":
        return await _no_agent_back_to_ai(h, saved, f"requeue-{saved.conversation_id}-{saved.revision}")
    await auto_assign(h, saved.tenant_id)
    return saved


async def auto_assign(h: Handoff, tenant_id: str) -> list[ConversationRecord]:
    """Give queued conversations, longest waiting first, to free online agents."""
    if not h.tenant(tenant_id).handoff.auto_assign:
        return []
    assigned: list[ConversationRecord] = []
    full: set[str] = set()  # agents another replica filled up meanwhile
    async with h.assign_locks.setdefault(tenant_id, asyncio.Lock()):
        for record in h.store.queue(tenant_id):
            agents = [a for a in h.store.agents_of(tenant_id) if a.agent_id not in full]
            presence = pick_agent(agents, h.store.loads(tenant_id))
            if presence is None:
                break
            account = h.agents.get(tenant_id, presence.agent_id)
            if account is None:
                full.add(presence.agent_id)
                continue
            fresh = await h.store.load_conversation(tenant_id, record.conversation_id)
            if fresh is None or fresh.state != "queued":
                continue
            try:
                saved = await assign(h, fresh, presence, account)
            except AgentFull:
                full.add(presence.agent_id)
                continue
            if saved is not None:
                assigned.append(saved)
    return assigned


class AgentFull(Exception):
    """Every slot of the agent is taken (counted across replicas)."""


async def assign(
    h: Handoff, record: ConversationRecord, presence: AgentPresence, account: AgentAccount
) -> ConversationRecord | None:
    """Give one queued conversation to one agent; None if the conversation changed meanwhile."""
    if not await reserve_slot(h, presence, record.conversation_id):
        raise AgentFull(f"Agent {account.id} has no free slot")
    try:
        saved = await change_state(
            h, record, "assigned", "system", agent_id=account.id, reason="auto_assigned", announce=_accepted_by(account)
        )
    except Conflict:
        return None  # another replica or an agent got it first (the reservation lapses by itself)
    await h.store.save_agent(presence.model_copy(update={"last_assigned_at": utcnow()}))
    return saved


async def note_visitor_activity(h: Handoff, tenant_id: str, conversation_id: str) -> None:
    """A visitor wrote: make the conversation listable (state ai) and reopen it if it was resolved."""
    record = await h.store.load_conversation(tenant_id, conversation_id)
    if record is None:
        # Conflict: created meanwhile by a concurrent message or a handoff request
        with contextlib.suppress(Conflict):
            await h.store.save_conversation(ConversationRecord(tenant_id=tenant_id, conversation_id=conversation_id))
    elif record.state == "resolved":
        await change_state(h, record, "ai", "visitor", reason="visitor_wrote_again")
