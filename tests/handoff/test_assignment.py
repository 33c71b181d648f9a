from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handoff.assignment import pick_agent
from handoff.records import AgentPresence

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def agent(agent_id: str, status: str = "online", capacity: int = 2, last: datetime | None = None) -> AgentPresence:
    return AgentPresence(
        tenant_id="t", agent_id=agent_id, name=agent_id, status=status, capacity=capacity, last_assigned_at=last
    )


def test_least_loaded_wins() -> None:
    chosen = pick_agent([agent("a"), agent("b")], {"a": 1, "b": 0})
    assert chosen is not None
    assert chosen.agent_id == "b"


def test_equal_load_goes_round_robin() -> None:
    agents = [agent("a", last=T0 + timedelta(seconds=5)), agent("b", last=T0), agent("c", last=T0 + timedelta(1))]
    assert pick_agent(agents, {}).agent_id == "b"
    assert pick_agent([*agents, agent("never")], {}).agent_id == "never"


def test_round_robin_cycles_when_each_assignment_is_recorded() -> None:
    agents = {a: agent(a, capacity=10) for a in ("a", "b", "c")}
    order = []
    for i in range(6):
        chosen = pick_agent(agents.values(), {})
        order.append(chosen.agent_id)
        agents[chosen.agent_id] = chosen.model_copy(update={"last_assigned_at": T0 + timedelta(seconds=i)})
    assert order == ["a", "b", "c", "a", "b", "c"]


def test_full_away_and_offline_agents_get_nothing() -> None:
    agents = [agent("full", capacity=1), agent("away", status="away"), agent("off", status="offline")]
    assert pick_agent(agents, {"full": 1}) is None
    assert pick_agent([], {}) is None
