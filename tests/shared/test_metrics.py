"""shared.metrics: what each instrumented place counts, and /metrics on a bus-only service's health port."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import httpx
from prometheus_client import REGISTRY

from guards.hallucination.flags import flag_for
from guards.sentences import Sentence
from guards.verdict import Verdict
from services.health import serve
from services.nats_embedded import free_port
from shared import metrics
from shared.settings import Settings
from shared.tenants import GuardPolicy


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_flagged_sentence_counts_under_the_tenants_action() -> None:
    before = value("switchboard_guard_flags_total", action="replace")
    sentence = Sentence(0, 20, "Shipping is free.")
    policy = GuardPolicy(action="replace")
    assert flag_for("acme", "c1", "m1", sentence, Verdict(0.0, "grounded", "overlap"), policy) is None
    assert value("switchboard_guard_flags_total", action="replace") == before
    assert flag_for("acme", "c1", "m1", sentence, Verdict(1.0, "unsupported", "overlap"), policy) is not None
    assert value("switchboard_guard_flags_total", action="replace") == before + 1


def test_a_turn_clock_observes_ttft_once_and_tokens_at_the_end() -> None:
    ttft, replies, tokens = (
        value("switchboard_ttft_seconds_count"),
        value("switchboard_reply_seconds_count"),
        value("switchboard_tokens_total"),
    )
    clock = metrics.TurnClock()
    for _ in range(5):
        clock.chunk()
    assert value("switchboard_ttft_seconds_count") == ttft + 1
    assert value("switchboard_tokens_total") == tokens, "tokens are added once per turn, not per chunk"
    clock.completed()
    assert value("switchboard_reply_seconds_count") == replies + 1
    assert value("switchboard_tokens_total") == tokens + 5


@dataclass
class _Orch:
    stats: Counter[str] = field(default_factory=Counter)


def test_turn_outcomes_are_read_from_live_orchestrators_when_scraped() -> None:
    before = value("switchboard_turns_total", outcome="completed")
    orch = _Orch()
    metrics.count_turns(orch)
    orch.stats["completed"] += 2
    orch.stats["cancelled"] += 1
    assert value("switchboard_turns_total", outcome="completed") == before + 2
    del orch  # a stopped orchestrator no longer counts
    assert value("switchboard_turns_total", outcome="completed") == before


def test_the_health_port_serves_metrics() -> None:
    port = free_port()
    server = serve(port, Settings(environment="development"))
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/metrics")
    finally:
        server.shutdown()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "switchboard_consumer_pending" in response.text


@dataclass
class _Record:
    state: str


@dataclass
class _Store:
    conversations: dict[tuple[str, str], _Record] = field(default_factory=dict)


def test_handoff_conversations_by_state_are_counted_when_scraped() -> None:
    store = _Store()
    metrics.count_handoff_states(store)
    before = value("switchboard_handoff_conversations", state="queued")
    store.conversations[("acme", "c1")] = _Record("queued")
    store.conversations[("acme", "c2")] = _Record("assigned")
    assert value("switchboard_handoff_conversations", state="queued") == before + 1
    store.conversations[("acme", "c1")] = _Record("assigned")
    assert value("switchboard_handoff_conversations", state="queued") == before
