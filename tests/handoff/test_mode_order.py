"""The order of the mode key and the visitor-visible event, which the orchestrator relies on;
and the mode's value while queued (the tenant's ``ai_while_queued``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from handoff import announce, transitions
from handoff.agents import AgentAccount
from handoff.records import ConversationRecord
from handoff.store import Conflict
from shared.tenants import HandoffRules, Tenant, TenantDirectory

AGENT = AgentAccount(id="a1", tenant_id="acme", name="Ann", token_sha256="0" * 64)


class RecordingStore:
    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.saved: list[ConversationRecord] = []

    async def save_conversation(self, record: ConversationRecord) -> ConversationRecord:
        self.log.append(f"save outbox={[e['type'] for e in record.outbox]}")
        saved = record.model_copy(update={"revision": record.revision + 1})
        self.saved.append(saved)
        return saved

    async def set_mode(self, tenant_id: str, conversation_id: str, mode: str) -> None:
        self.log.append(f"mode={mode}")


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    async def fake_emit(broker: object, event: object) -> None:
        calls.append(f"emit {event.type}")  # type: ignore[attr-defined]

    monkeypatch.setattr(transitions, "emit", fake_emit)
    return calls


def handoff(log: list[str], **rules: object) -> SimpleNamespace:
    tenant = Tenant(id="acme", name="Acme", widget_key="pk", handoff=HandoffRules.model_validate(rules))
    return SimpleNamespace(store=RecordingStore(log), broker=None, tenants=TenantDirectory(tenants=[tenant]))


async def test_back_to_ai_announces_before_the_mode_flips(log: list[str]) -> None:
    h = handoff(log)
    record = ConversationRecord(tenant_id="acme", conversation_id="c1", state="assigned", agent_id="a1", revision=3)

    await transitions.change_state(
        h,  # type: ignore[arg-type]
        record,
        "ai",
        "agent",
        agent_id="a1",
        reason="handed_back",
        announce=lambda pending: [announce.ended(pending, AGENT, "handed_back")],
    )

    assert log.index("emit handoff.ended") < log.index("mode=ai")
    # the events were in the record before anything was published, and cleared after
    assert log[0] == "save outbox=['handoff.ended', 'handoff.state']"
    assert log[-1] == "save outbox=[]"


async def test_to_an_agent_the_mode_is_set_before_the_announcement(log: list[str]) -> None:
    h = handoff(log)
    record = ConversationRecord(tenant_id="acme", conversation_id="c1", state="queued", revision=3)

    await transitions.change_state(
        h,  # type: ignore[arg-type]
        record,
        "assigned",
        "agent",
        agent_id="a1",
        reason="claimed",
        announce=lambda pending: [announce.accepted(pending, AGENT)],
    )

    assert log.index("mode=assigned") < log.index("emit handoff.accepted")
    assert log.index("emit handoff.accepted") < log.index("emit handoff.state")


@pytest.mark.parametrize(("rules", "mode"), [({}, "queued"), ({"ai_while_queued": True}, "ai")])
async def test_queued_mode_follows_the_tenant_choice(log: list[str], rules: dict[str, object], mode: str) -> None:
    h = handoff(log, **rules)
    record = ConversationRecord(tenant_id="acme", conversation_id="c1", state="ai", revision=3)

    await transitions.change_state(h, record, "queued", "visitor", reason="asked", trigger="visitor")  # type: ignore[arg-type]

    assert f"mode={mode}" in log


async def test_an_unpublished_outbox_is_published_before_the_next_transition(log: list[str]) -> None:
    h = handoff(log)
    left = ConversationRecord(
        tenant_id="acme",
        conversation_id="c1",
        state="assigned",
        agent_id="a1",
        revision=5,
        outbox=[announce.accepted(ConversationRecord(tenant_id="acme", conversation_id="c1"), AGENT).model_dump()],
    )

    await transitions.change_state(h, left, "resolved", "agent", agent_id="a1", reason="resolved")  # type: ignore[arg-type]

    assert log.index("emit handoff.accepted") < log.index("save outbox=['handoff.state']")


async def test_a_transition_from_a_record_that_moved_on_meanwhile_is_a_conflict(log: list[str]) -> None:
    class MovedOn(RecordingStore):
        """Another replica published the outbox and handed the conversation back before we could clear it."""

        async def save_conversation(self, record: ConversationRecord) -> ConversationRecord:
            raise Conflict(record.conversation_id)

        async def load_conversation(self, tenant_id: str, conversation_id: str) -> ConversationRecord:
            return ConversationRecord(tenant_id=tenant_id, conversation_id=conversation_id, state="ai", revision=9)

    h = handoff(log)
    h.store = MovedOn(log)
    left = ConversationRecord(
        tenant_id="acme",
        conversation_id="c1",
        state="assigned",
        agent_id="a1",
        revision=5,
        outbox=[announce.accepted(ConversationRecord(tenant_id="acme", conversation_id="c1"), AGENT).model_dump()],
    )

    with pytest.raises(Conflict):
        await transitions.change_state(h, left, "resolved", "agent", agent_id="a1", reason="resolved")  # type: ignore[arg-type]
    assert log[-1] == "mode=ai"  # the mode follows the record that won
