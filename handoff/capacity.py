"""An agent's free slots, taken atomically across replicas before a conversation is auto-assigned.

Each replica's view of who holds what lags the others' writes a little, so two replicas
assigning at once could both see one free slot. A slot is therefore reserved first, with a
compare-and-set on the agent's reservation record (``load.{tenant}.{agent}`` in the handoff
bucket): the loser re-reads and sees the agent full. A reservation counts while its
conversation is assigned to the agent, or is still queued and was reserved recently (the
assignment is in flight); anything else (handed back, taken by someone else, a replica that
died in between) drops out by itself, so nothing needs releasing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handoff.context import Handoff
from handoff.records import AgentPresence, ConversationRecord
from handoff.store import Conflict
from shared.events.base import utcnow

IN_FLIGHT = timedelta(seconds=30)
MAX_TRIES = 10


def _holding(record: ConversationRecord | None, agent_id: str, reserved_at: datetime, now: datetime) -> bool:
    if record is None:
        return now - reserved_at < IN_FLIGHT
    if record.state == "assigned":
        return record.agent_id == agent_id
    return record.state == "queued" and now - reserved_at < IN_FLIGHT


async def reserve_slot(h: Handoff, presence: AgentPresence, conversation_id: str) -> bool:
    """Take one of the agent's free slots for ``conversation_id``; False if the agent is full."""
    tenant_id, agent_id = presence.tenant_id, presence.agent_id
    for _ in range(MAX_TRIES):
        now = utcnow()
        reserved, revision = await h.store.load_reservations(tenant_id, agent_id)
        live = {
            c: at
            for c, at in reserved.items()
            if _holding(h.store.conversations.get((tenant_id, c)), agent_id, at, now)
        }
        if conversation_id in live:
            return True
        assigned = {r.conversation_id for r in h.store.of_tenant(tenant_id, "assigned") if r.agent_id == agent_id}
        if len(assigned | live.keys()) >= presence.capacity:
            return False
        live[conversation_id] = now
        try:
            await h.store.save_reservations(tenant_id, agent_id, live, revision)
        except Conflict:
            continue  # another replica reserved (or cleaned up) meanwhile: count again
        return True
    return False
