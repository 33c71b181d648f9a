"""shared.tracing: off unless an OTLP endpoint is configured; on, the context crosses NATS headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared import tracing


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracing.enable(provider)
    yield memory
    tracing.disable()


def test_off_by_default_and_free() -> None:
    assert not tracing.wanted({})
    assert not tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"})
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert not tracing.ENABLED
    assert not tracing.setup_tracing("gateway")  # nothing configured in the test environment
    # Off: one shared no-op context manager, headers untouched.
    assert tracing.span("turn") is tracing.span("widget frame", root=True)
    assert tracing.inject({"Nats-Msg-Id": "x"}) == {"Nats-Msg-Id": "x"}


def test_a_span_continues_the_trace_in_the_headers_it_was_published_with(exporter: InMemorySpanExporter) -> None:
    with tracing.span("widget frame", root=True):
        headers = tracing.inject({"Nats-Msg-Id": "e1"})
    assert "traceparent" in headers
    with tracing.span("turn", headers, conversation_id="c1"):
        pass
    frame, turn = exporter.get_finished_spans()
    assert turn.context.trace_id == frame.context.trace_id
    assert turn.parent is not None
    assert turn.parent.span_id == frame.context.span_id
    assert turn.attributes == {"conversation_id": "c1"}


def test_each_frame_starts_its_own_trace_linked_to_the_socket(exporter: InMemorySpanExporter) -> None:
    with tracing.span("WS /v1/ws"):
        with tracing.span("widget frame", root=True):
            pass
        with tracing.span("widget frame", root=True):
            pass
    first, second, socket = exporter.get_finished_spans()
    assert first.parent is None
    assert first.context.trace_id != second.context.trace_id
    assert [link.context.span_id for link in first.links] == [socket.context.span_id]


async def test_the_model_call_span_counts_the_chunks(exporter: InMemorySpanExporter) -> None:
    from orchestrator.providers.offline import OfflineProvider
    from shared.settings import get_settings
    from shared.tenants import load_tenants

    acme = load_tenants(get_settings().tenants_file).by_id("acme")
    assert acme is not None
    provider = tracing.traced_provider(OfflineProvider())
    messages = [{"role": "user", "content": "Do you ship internationally?"}]
    chunks = [c async for c in provider.stream(messages, [], acme)]  # type: ignore[arg-type]
    (span,) = exporter.get_finished_spans()
    assert span.name == "model call"
    assert span.attributes is not None
    assert span.attributes["chunks"] == len(chunks) > 0
