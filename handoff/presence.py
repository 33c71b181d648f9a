"""Agent presence: online/away/offline, heartbeats, and what happens when an agent vanishes."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from handoff.agents import AgentAccount
from handoff.context import Handoff
from handoff.conversations import auto_assign, requeue
from handoff.records import AgentPresence, PresenceStatus
from handoff.states import TransitionNotAllowed
from handoff.store import Conflict
from shared.events.base import utcnow

log = logging.getLogger(__name__)


async def presence_of(h: Handoff, agent: AgentAccount) -> AgentPresence:
    cached = h.store.agents.get((agent.tenant_id, agent.id))
    if cached is not None:
        return cached
    stored = await h.store.load_agent(agent.tenant_id, agent.id)
    return stored or AgentPresence(
        tenant_id=agent.tenant_id,
        agent_id=agent.id,
        name=agent.name,
        avatar_url=agent.avatar_url,
        capacity=agent.capacity,
    )


async def set_presence(
    h: Handoff, agent: AgentAccount, status: PresenceStatus, capacity: int | None = None
) -> AgentPresence:
    """Set status (and capacity); going online assigns waiting work, going offline re-queues it."""
    before = await presence_of(h, agent)
    update: dict[str, object] = {"status": status, "last_seen": utcnow()}
    if capacity is not None:
        update["capacity"] = capacity
    saved = await h.store.save_agent(before.model_copy(update=update))
    if status == "online":
        await auto_assign(h, agent.tenant_id)
    elif status == "offline":
        await release_agent(h, agent.tenant_id, agent.id, "agent_offline")
    return saved


async def touch(h: Handoff, agent: AgentAccount, *, force: bool = False, come_online: bool = False) -> AgentPresence:
    """Refresh last_seen (throttled unless ``force``).

    ``come_online``: the agent started working (opened the console, claimed, wrote), so an
    offline agent is online again. Heartbeats never change the status an agent chose.
    """
    presence = await presence_of(h, agent)
    if come_online and presence.status == "offline":
        return await set_presence(h, agent, "online")
    now = utcnow()
    fresh = presence.last_seen and now - presence.last_seen < timedelta(seconds=h.config.heartbeat_s / 2)
    if fresh and not force:
        return presence
    return await h.store.save_agent(presence.model_copy(update={"last_seen": now}))


async def release_agent(h: Handoff, tenant_id: str, agent_id: str, reason: str) -> int:
    """Re-queue every conversation assigned to this agent; returns how many."""
    count = 0
    for record in h.store.of_tenant(tenant_id, "assigned"):
        if record.agent_id != agent_id:
            continue
        fresh = await h.store.load_conversation(tenant_id, record.conversation_id)
        if fresh is None or fresh.state != "assigned" or fresh.agent_id != agent_id:
            continue
        try:
            await requeue(h, fresh, reason)
            count += 1
        except (Conflict, TransitionNotAllowed):
            continue  # the agent or another replica changed it meanwhile
    return count


def timed_out(presence: AgentPresence, now: datetime, timeout_s: float) -> bool:
    if presence.status == "offline":
        return False
    return presence.last_seen is None or now - presence.last_seen > timedelta(seconds=timeout_s)


async def sweep(h: Handoff, now: datetime | None = None) -> list[str]:
    """Agents not seen for agent_timeout_s go offline and lose their conversations; returns their ids."""
    now = now or utcnow()
    gone: list[str] = []

    # agents of tenants no longer configured (or another deployment's, on a shared NATS) are left alone
    def known() -> list[AgentPresence]:
        return [p for p in h.store.agents.values() if h.tenants.by_id(p.tenant_id) is not None]

    for presence in known():
        if timed_out(presence, now, h.config.agent_timeout_s):
            await h.store.save_agent(presence.model_copy(update={"status": "offline"}))
            gone.append(presence.agent_id)
            log.info("agent %s/%s timed out", presence.tenant_id, presence.agent_id)
    # also conversations held by agents already offline (a replica died between the two steps)
    for presence in known():
        if presence.status == "offline":
            reason = "agent_timeout" if presence.agent_id in gone else "agent_offline"
            await release_agent(h, presence.tenant_id, presence.agent_id, reason)
    return gone
