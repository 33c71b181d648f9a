"""Moving one conversation between states: compare-and-set on its record (with an outbox), then
the mode key and the events.

Each change is a compare-and-set on the conversation record (``store.Conflict`` if someone
else got there first) that also stores the change's events (outbox); then the agreed mode key
the orchestrator reads, the visitor-visible events (announce.py) and a HandoffStateChanged on
ops (webhooks, recorder) are published and the outbox cleared. A crash in between leaves the
outbox for the next transition, the sweeper or a restarted replica to publish.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from handoff.agents import AgentAccount
from handoff.context import Handoff
from handoff.records import ConversationRecord
from handoff.states import check_transition
from handoff.store import Conflict
from shared import metrics
from shared.bus import emit
from shared.events import Author, Event, HandoffStateChanged, parse_event
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


Announce = Callable[[ConversationRecord], list[Event]]


def mode_of(h: Handoff, record: ConversationRecord) -> str:
    """The mode key's value for a record: its state, except "ai" while queued if the tenant wants
    the assistant to keep answering until a human joins (``ai_while_queued``)."""
    if record.state == "queued":
        tenant = h.tenants.by_id(record.tenant_id)
        if tenant is not None and tenant.handoff.ai_while_queued:
            return "ai"
    return record.state


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
    announce: Announce | None = None,
) -> ConversationRecord:
    """Move one conversation to ``target``; raises TransitionNotAllowed or store.Conflict.

    ``announce`` builds what the visitor is told (from the record as it is being written). Its
    events and the HandoffStateChanged go into the record's outbox in the same compare-and-set
    as the state, then ``publish_outbox`` publishes them and clears it.
    """
    check_transition(record.state, target, actor)
    if record.outbox:  # the previous transition's events may be unpublished (a replica died)
        flushed = await publish_outbox(h, record)
        if (flushed.state, flushed.agent_id) != (record.state, record.agent_id):
            raise Conflict(f"conversation {record.conversation_id} changed since revision {record.revision}")
        record = flushed
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
    pending = record.model_copy(update=update)
    changed = HandoffStateChanged(
        id=f"state-{record.conversation_id}-{record.revision}",
        tenant_id=record.tenant_id,
        conversation_id=record.conversation_id,
        previous=record.state,
        state=target,
        actor=actor,
        agent_id=agent_id or record.agent_id,
        reason=reason,
        revision=record.revision,  # set to the stored revision when published
    )
    events = [*(announce(pending) if announce else []), changed]
    pending.outbox = [e.model_dump(mode="json") for e in events]
    saved = await h.store.save_conversation(pending)
    metrics.HANDOFFS_FAMILY.labels(target).inc()
    if target == "assigned" and record.state == "queued" and record.queued_at is not None:
        metrics.QUEUE_WAIT_SECONDS.observe(max(0.0, (now - record.queued_at).total_seconds()))
    return await publish_outbox(h, saved)


async def publish_outbox(h: Handoff, record: ConversationRecord) -> ConversationRecord:
    """Publish a stored transition's events and set the mode key, then clear the outbox.

    The order matters to the orchestrator, which answers only while the mode allows it: going
    back to the AI, handoff.ended is stored first (so a visitor message stored before it is known
    to be the agent's); otherwise the mode is set first (so once handoff.accepted is seen, no new
    reply starts). Safe to run twice, by two replicas or after a crash: ids are fixed, the mode
    key is a plain put. Returns the record as stored after (or as found, if it changed meanwhile).
    """
    events = [parse_event(data) for data in record.outbox]
    visible = [e for e in events if not isinstance(e, HandoffStateChanged)]
    if record.state == "ai":
        await _emit_all(h, visible)
    await h.store.set_mode(record.tenant_id, record.conversation_id, mode_of(h, record))
    if record.state != "ai":
        await _emit_all(h, visible)
    for event in events:
        if isinstance(event, HandoffStateChanged):
            await emit(h.broker, event.model_copy(update={"revision": record.revision}))
    try:
        return await h.store.save_conversation(record.model_copy(update={"outbox": []}))
    except Conflict:
        # Another replica published and cleared it, or moved the conversation on: its mode wins.
        # Our mode write may have landed after theirs: write the winner's again (its outbox too,
        # which is harmless if its own replica is publishing it right now).
        fresh = await h.store.load_conversation(record.tenant_id, record.conversation_id)
        if fresh is None:
            return record
        if fresh.outbox:
            return await publish_outbox(h, fresh)
        await h.store.set_mode(fresh.tenant_id, fresh.conversation_id, mode_of(h, fresh))
        return fresh


async def _emit_all(h: Handoff, events: list[Event]) -> None:
    for event in events:
        await emit(h.broker, event)


async def publish_pending(h: Handoff, older_than_s: float = 0.0) -> int:
    """Publish every outbox left by a replica that died mid-transition (at start, and by the sweeper,
    which leaves alone the ones younger than ``older_than_s``: they are being published now)."""
    count = 0
    cutoff = utcnow() - timedelta(seconds=older_than_s)
    for record in h.store.with_outbox():
        if record.updated_at > cutoff:
            continue
        fresh = await h.store.load_conversation(record.tenant_id, record.conversation_id)
        if fresh is not None and fresh.outbox:
            await publish_outbox(h, fresh)
            count += 1
    if count:
        log.warning("published the events of %d interrupted handoff transitions", count)
    return count


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
