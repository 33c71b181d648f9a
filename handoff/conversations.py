"""Handoff operations: every state change of a conversation and what the visitor and agents are told.

Each change is a compare-and-set on the conversation record (``store.Conflict`` if someone
else got there first), then the agreed mode key for the orchestrator, then the events.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from datetime import datetime

from handoff.agents import AgentAccount
from handoff.assignment import pick_agent
from handoff.context import Handoff
from handoff.records import ConversationRecord
from handoff.states import check_transition
from handoff.store import Conflict
from shared.bus import emit
from shared.events import (
    Author,
    HandoffAccepted,
    HandoffEnded,
    HandoffQueued,
    HandoffRequested,
    HandoffStateChanged,
    MessageCompleted,
    Notice,
    Typing,
)
from shared.events.base import utcnow
from shared.events.handoff import ConversationState, HandoffTrigger, StateActor

log = logging.getLogger(__name__)


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
) -> ConversationRecord:
    """Move one conversation to ``target``; raises TransitionNotAllowed or store.Conflict."""
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
    await h.store.set_mode(record.tenant_id, record.conversation_id, target)
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


async def _announce_queued(h: Handoff, record: ConversationRecord, reason: str) -> None:
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


async def _announce_accepted(h: Handoff, record: ConversationRecord, agent: AgentAccount) -> None:
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


async def _announce_ended(h: Handoff, record: ConversationRecord, agent: AgentAccount | None, reason: str) -> None:
    await emit(
        h.broker,
        HandoffEnded(
            id=f"ended-{record.conversation_id}-{record.revision}",
            tenant_id=record.tenant_id,
            conversation_id=record.conversation_id,
            outcome="resolved" if record.state == "resolved" else "back_to_ai",
            agent=author_of(agent) if agent else None,
            reason=reason,
        ),
    )


async def _notice(h: Handoff, record: ConversationRecord, code: str, text: str, event_id: str) -> None:
    await emit(
        h.broker,
        Notice(id=event_id, tenant_id=record.tenant_id, conversation_id=record.conversation_id, code=code, text=text),
    )


async def _no_agent_back_to_ai(h: Handoff, record: ConversationRecord, event_id: str) -> ConversationRecord:
    """Tenant policy back_to_ai with nobody online: tell the visitor the assistant carries on."""
    tenant = h.tenant(record.tenant_id)
    if record.state == "queued":
        record = await change_state(h, record, "ai", "system", reason="no_agent_online")
    await _notice(
        h,
        record,
        "no_agent_online",
        f"No one from our team is online right now, so {tenant.assistant_name} will keep helping you.",
        f"{event_id}-notice",
    )
    await _announce_ended(h, record, None, "no_agent_online")
    return record


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
    record = await change_state(h, record, "queued", actor, reason=request.reason, trigger=request.trigger)
    await _announce_queued(h, record, request.reason)
    if nobody:
        await _notice(
            h,
            record,
            "leave_message",
            "No one is online right now. Leave your message here and an agent will answer as soon as they are back.",
            f"{request.id}-notice",
        )
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
    saved = await change_state(
        h,
        record,
        "assigned",
        "agent",
        agent_id=agent.id,
        reason="taken_over" if taken_over else "claimed",
        trigger="agent" if taken_over else None,
    )
    await _announce_accepted(h, saved, agent)
    return saved


def _require_mine(record: ConversationRecord, agent: AgentAccount) -> None:
    if record.state != "assigned" or record.agent_id != agent.id:
        who = "nobody" if record.state != "assigned" else "another agent"
        raise NotAssignedToYou(
            f"Expected conversation {record.conversation_id!r} to be assigned to you, but it is {record.state} ({who})"
        )


async def hand_back(h: Handoff, agent: AgentAccount, conversation_id: str) -> ConversationRecord:
    """The assigned agent gives the conversation back to the AI (or an agent drops a queued one)."""
    record = await existing(h, agent, conversation_id)
    if record.state != "queued":
        _require_mine(record, agent)
    saved = await change_state(h, record, "ai", "agent", agent_id=agent.id, reason="handed_back")
    await _announce_ended(h, saved, agent if record.state == "assigned" else None, "handed_back")
    await auto_assign(h, agent.tenant_id)
    return saved


async def resolve(h: Handoff, agent: AgentAccount, conversation_id: str) -> ConversationRecord:
    record = await existing(h, agent, conversation_id)
    if record.state == "assigned":
        _require_mine(record, agent)
    saved = await change_state(h, record, "resolved", "agent", agent_id=agent.id, reason="resolved")
    await _announce_ended(h, saved, agent if record.state == "assigned" else None, "resolved")
    await auto_assign(h, agent.tenant_id)
    return saved


async def requeue(h: Handoff, record: ConversationRecord, reason: str) -> ConversationRecord:
    """The assigned agent disconnected or timed out: back in the queue (or to the AI if nobody is left)."""
    saved = await change_state(h, record, "queued", "system", reason=reason)
    await _announce_queued(h, saved, reason)
    if not online_agents(h, saved.tenant_id) and h.tenant(saved.tenant_id).handoff.when_no_agent == "back_to_ai":
        return await _no_agent_back_to_ai(h, saved, f"requeue-{saved.conversation_id}-{saved.revision}")
    await auto_assign(h, saved.tenant_id)
    return saved


async def auto_assign(h: Handoff, tenant_id: str) -> list[ConversationRecord]:
    """Give queued conversations, longest waiting first, to free online agents."""
    if not h.tenant(tenant_id).handoff.auto_assign:
        return []
    assigned: list[ConversationRecord] = []
    async with h.assign_locks.setdefault(tenant_id, asyncio.Lock()):
        for record in h.store.queue(tenant_id):
            presence = pick_agent(h.store.agents_of(tenant_id), h.store.loads(tenant_id))
            if presence is None:
                break
            account = h.agents.get(tenant_id, presence.agent_id)
            if account is None:
                continue
            fresh = await h.store.load_conversation(tenant_id, record.conversation_id)
            if fresh is None or fresh.state != "queued":
                continue
            try:
                saved = await change_state(h, fresh, "assigned", "system", agent_id=account.id, reason="auto_assigned")
            except Conflict:
                continue  # another replica or an agent got it first
            await _announce_accepted(h, saved, account)
            await h.store.save_agent(presence.model_copy(update={"last_assigned_at": utcnow()}))
            assigned.append(saved)
    return assigned


def agent_message_id(agent: AgentAccount, client_id: str) -> str:
    """Same client id from the same agent, same message: resending is idempotent (JetStream dedupe)."""
    digest = hashlib.sha256(f"{agent.tenant_id}/{agent.id}/{client_id}".encode()).hexdigest()[:32]
    return f"agent-{digest}"


async def send_message(
    h: Handoff, agent: AgentAccount, conversation_id: str, text: str, client_id: str
) -> tuple[str, int | None]:
    """The assigned agent writes to the visitor; durable in SB_CONV so the AI sees it after hand-back."""
    record = await existing(h, agent, conversation_id)
    _require_mine(record, agent)
    message_id = agent_message_id(agent, client_id)
    seq = await emit(
        h.broker,
        MessageCompleted(
            id=message_id,
            tenant_id=agent.tenant_id,
            conversation_id=conversation_id,
            message_id=message_id,
            role="agent",
            text=text,
            author=author_of(agent),
        ),
    )
    await set_typing(h, agent, conversation_id, on=False, checked=True)
    return message_id, seq


async def set_typing(h: Handoff, agent: AgentAccount, conversation_id: str, *, on: bool, checked: bool = False) -> None:
    if not checked:
        _require_mine(await existing(h, agent, conversation_id), agent)
    await emit(
        h.broker,
        Typing(tenant_id=agent.tenant_id, conversation_id=conversation_id, who="agent", name=agent.name, on=on),
    )


async def note_visitor_activity(h: Handoff, tenant_id: str, conversation_id: str) -> None:
    """A visitor wrote: make the conversation listable (state ai) and reopen it if it was resolved."""
    record = await h.store.load_conversation(tenant_id, conversation_id)
    if record is None:
        # Conflict: created meanwhile by a concurrent message or a handoff request
        with contextlib.suppress(Conflict):
            await h.store.save_conversation(ConversationRecord(tenant_id=tenant_id, conversation_id=conversation_id))
    elif record.state == "resolved":
        await change_state(h, record, "ai", "visitor", reason="visitor_wrote_again")
