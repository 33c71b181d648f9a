"""Every Prometheus metric Switchboard exports, defined once; each process serves its own at ``/metrics``.

The gateway and the handoff service serve ``/metrics`` on their HTTP port (``mount``); services
that only speak to the bus serve it on their health port (``services.health``, SB_HEALTH_PORT;
`make run` gives each one). ``deploy/grafana/switchboard.json`` is a dashboard built on them.

Cheap on the hot path: labelled children are bound once here (``PUBLISH_SECONDS["conv"]``), a
turn's tokens are added once per turn, and counters kept elsewhere (the orchestrator's turn
outcomes) are read only when scraped.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

# Latencies of a chat turn: from a few milliseconds (bus) to a minute (a slow model).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
WAIT_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)

CHANNELS = ("conv", "ops", "push", "dlq")

# Gateway
SOCKETS_OPEN = Gauge("switchboard_sockets_open", "Widget WebSockets open on this gateway.")

# Orchestrator: turns (outcomes are read from the orchestrator's own counter, see count_turns)
TTFT_SECONDS = Histogram(
    "switchboard_ttft_seconds",
    "From the start of a turn to its first token from the model.",
    buckets=LATENCY_BUCKETS,
)
REPLY_SECONDS = Histogram(
    "switchboard_reply_seconds", "From the start of a turn to its completed reply.", buckets=LATENCY_BUCKETS
)
TOKENS = Counter("switchboard_tokens", "Text chunks streamed from the model (about one token each).")

# Bus
PUBLISH_SECONDS_FAMILY = Histogram(
    "switchboard_bus_publish_seconds",
    "Durable publishes: from publish to JetStream's acknowledgement, by stream channel.",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)
PUBLISH_SECONDS = {c: PUBLISH_SECONDS_FAMILY.labels(c) for c in CHANNELS}
CONSUME_LAG_FAMILY = Histogram(
    "switchboard_bus_consume_lag_seconds",
    "Age of an event when a consumer handles it (its timestamp to now), by consumer.",
    ["consumer"],
    buckets=LATENCY_BUCKETS,
)
PENDING_FAMILY = Gauge(
    "switchboard_consumer_pending", "Messages still waiting for a durable consumer (JetStream's count).", ["consumer"]
)
DEAD_LETTERS_FAMILY = Counter(
    "switchboard_dead_letters", "Messages a consumer gave up on, stored in SB_DLQ.", ["consumer"]
)

# Guards and handoff
GUARD_FLAGS_FAMILY = Counter(
    "switchboard_guard_flags", "Sentences the hallucination guard flagged, by action.", ["action"]
)
GUARD_FLAGS = {a: GUARD_FLAGS_FAMILY.labels(a) for a in ("flag", "withhold", "replace")}
HANDOFFS_FAMILY = Counter("switchboard_handoffs", "Handoff state changes, by the state entered.", ["state"])
QUEUE_WAIT_SECONDS = Histogram(
    "switchboard_handoff_queue_wait_seconds",
    "How long a conversation waited in the handoff queue before an agent took it.",
    buckets=WAIT_BUCKETS,
)
WEBHOOK_ATTEMPTS_FAMILY = Counter(
    "switchboard_webhook_attempts", "Webhook POSTs tried, by webhook and result.", ["webhook", "result"]
)

# Database
DB_WRITE_SECONDS_FAMILY = Histogram(
    "switchboard_db_write_seconds", "One database write transaction, by writer.", ["writer"], buckets=LATENCY_BUCKETS
)


def observe_age(child: Any, ts: datetime) -> None:
    """Observe the age of an event produced at ``ts`` (aware UTC) on a histogram child."""
    child.observe(max(0.0, (datetime.now(UTC) - ts).total_seconds()))


def pending_of(msg: Any) -> int | None:
    """Messages left for the consumer after ``msg`` (JetStream metadata), None outside JetStream."""
    try:
        return int(msg.metadata.num_pending)
    except Exception:
        return None


class _TurnOutcomes(Collector):
    """switchboard_turns_total{outcome}: read from each live orchestrator's outcome counter when scraped."""

    def __init__(self) -> None:
        self.sources: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily("switchboard_turns", "Visitor turns, by outcome.", labels=["outcome"])
        totals: dict[str, float] = {}
        for source in list(self.sources.values()):
            stats: Mapping[str, int] = source.stats
            for outcome, count in stats.items():
                totals[outcome] = totals.get(outcome, 0) + count
        for outcome, total in sorted(totals.items()):
            family.add_metric([outcome], total)
        yield family

    def describe(self) -> Iterable[CounterMetricFamily]:
        return [CounterMetricFamily("switchboard_turns", "Visitor turns, by outcome.", labels=["outcome"])]


_TURNS = _TurnOutcomes()
REGISTRY.register(_TURNS)


def count_turns(source: Any) -> None:
    """Export ``source.stats`` (a Counter of turn outcomes) as switchboard_turns_total."""
    _TURNS.sources[id(source)] = source


class _HandoffStates(Collector):
    """switchboard_handoff_conversations{state}: the handoff service's conversations now, counted when scraped."""

    def __init__(self) -> None:
        self.sources: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()

    def _family(self) -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "switchboard_handoff_conversations", "Conversations the handoff service knows, by state.", labels=["state"]
        )

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = self._family()
        counts: dict[str, int] = {}
        for store in list(self.sources.values()):
            for record in list(store.conversations.values()):  # a copy: the event loop may be changing it
                counts[record.state] = counts.get(record.state, 0) + 1
        for state, count in sorted(counts.items()):
            family.add_metric([state], count)
        yield family

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return [self._family()]


_HANDOFF_STATES = _HandoffStates()
REGISTRY.register(_HANDOFF_STATES)


def count_handoff_states(store: Any) -> None:
    """Export the conversations of a handoff store (``store.conversations``) by state."""
    _HANDOFF_STATES.sources[id(store)] = store


def exposition() -> tuple[bytes, str]:
    """This process's metrics in the Prometheus text format, with its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def mount(app: Any) -> None:
    """Serve ``/metrics`` on a FastAPI app."""
    from fastapi.responses import Response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:  # sync: generate_latest runs in the thread pool, off the event loop
        body, content_type = exposition()
        return Response(body, media_type=content_type)


class TurnClock:
    """One turn's timings: TTFT at its first chunk, reply time and tokens once it completes."""

    __slots__ = ("chunks", "started")

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.chunks = 0

    def chunk(self) -> None:
        if not self.chunks:
            TTFT_SECONDS.observe(time.perf_counter() - self.started)
        self.chunks += 1

    def completed(self) -> None:
        REPLY_SECONDS.observe(time.perf_counter() - self.started)
        TOKENS.inc(self.chunks)
