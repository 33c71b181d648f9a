"""OpenTelemetry: one trace per visitor turn, from the socket frame through NATS to every service that took part."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.client import WidgetClient
from tests.fakes.otlp_receiver import OtlpReceiver, ReceivedSpan

pytestmark = pytest.mark.e2e

# Service and span of each step of a turn.
STEPS = {
    ("switchboard-gateway", "widget frame"),
    ("switchboard-orchestrator", "turn"),
    ("switchboard-orchestrator", "model call"),
    ("switchboard-hallucination-guard", "guard check"),
    ("switchboard-recorder", "record"),
}


def steps_of_one_trace(spans: list[ReceivedSpan]) -> str | None:
    """The trace id whose spans cover every step, if one does."""
    by_trace: dict[str, set[tuple[str, str]]] = {}
    for s in spans:
        by_trace.setdefault(s.trace_id, set()).add((s.service, s.name))
    return next((t for t, steps in by_trace.items() if steps >= STEPS), None)


async def test_one_trace_follows_a_turn_across_the_services(start_system) -> None:
    with OtlpReceiver() as receiver:
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "OTEL_BSP_SCHEDULE_DELAY": "100"}
        system = start_system("gateway", "orchestrator", "hallucination-guard", "recorder", env=env)
        client = WidgetClient(system.gateway_url)
        await client.connect()
        try:
            ack = await client.wait_type("ack", client_id=await client.say("Do you ship internationally?"))
            await client.wait_type("message.completed", reply_to=ack["message_id"])
        finally:
            await client.close()
        spans = await asyncio.to_thread(receiver.wait_for, lambda got: steps_of_one_trace(got) is not None)

    trace_id = steps_of_one_trace(spans)
    in_trace = {s.span_id: s for s in spans if s.trace_id == trace_id}
    roots = [s for s in in_trace.values() if not s.parent_id]
    assert [(r.service, r.name) for r in roots] == [("switchboard-gateway", "widget frame")], "one root: the frame"
    turn = next(s for s in in_trace.values() if s.name == "turn")
    assert in_trace[turn.parent_id].service == "switchboard-gateway", "the turn continues the frame's trace"
    assert turn.attributes["conversation_id"] == client.conversation_id
    model = next(s for s in in_trace.values() if s.name == "model call")
    assert model.parent_id == turn.span_id
    assert model.attributes["chunks"] > 0
    guard = next(s for s in in_trace.values() if s.name == "guard check")
    assert in_trace[guard.parent_id].service == "switchboard-orchestrator", "the guard checks the turn's events"
