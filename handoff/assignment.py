"""Who gets the next queued conversation: least loaded online agent, then round robin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from handoff.records import AgentPresence

_NEVER = datetime.min.isoformat()


def pick_agent(agents: Iterable[AgentPresence], loads: Mapping[str, int]) -> AgentPresence | None:
    """The online agent with spare capacity and the fewest conversations.

    Ties go to whoever was assigned least recently (never-assigned first), then by id so the
    choice is deterministic across replicas.
    """
    free = [a for a in agents if a.status == "online" and loads.get(a.agent_id, 0) < a.capacity]
    if not free:
        return None
    return min(
        free,
        key=lambda a: (
            loads.get(a.agent_id, 0),
            a.last_assigned_at.isoformat() if a.last_assigned_at else _NEVER,
            a.agent_id,
        ),
    )
