"""The order of the mode key and the visitor-visible event, which the orchestrator relies on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from handoff import transitions
from handoff.records import ConversationRecord


class RecordingStore:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def save_conversation(self, record: ConversationRecord) -> ConversationRecord:
        return record.model_copy(update={"revision": record.revision + 1})

    async def set_mode(self, tenant_id: str, conversation_id: str, state: str) -> None:
        self.log.append(f"mode={state}")


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    async def fake_emit(broker: object, event: object) -> None:
        calls.append(f"emit {event.type}")  # type: ignore[attr-defined]

    monkeypatch.setattr(transitions, "emit", fake_emit)
    return calls


async def test_back_to_ai_announces_before_the_mode_flips(log: list[str]) -> None:
    h = SimpleNamespace(store=RecordingStore(log), broker=None)
    record = ConversationRecord(tenant_id="acme", conversation_id="c1", state="assigned", agent_id="a1", revision=3)

    async def ended(saved: ConversationRecord) -> None:
        log.append("emit handoff.ended")

    await transitions.change_state(h, record, "ai", "agent", agent_id="a1", reason="handed_back", announce=ended)  # type: ignore[arg-type]

    assert log.index("emit handoff.ended") < log.index("mode=ai")


async def test_to_an_agent_the_mode_is_set_before_the_announcement(log: list[str]) -> None:
    h = SimpleNamespace(store=RecordingStore(log), broker=None)
    record = ConversationRecord(tenant_id="acme", conversation_id="c1", state="queued", revision=3)

    async def accepted(saved: ConversationRecord) -> None:
        log.append("emit handoff.accepted")

    await transitions.change_state(h, record, "assigned", "agent", agent_id="a1", reason="claimed", announce=accepted)  # type: ignore[arg-type]

    assert log.index("mode=assigned") < log.index("emit handoff.accepted")
