"""OpenTelemetry traces: one trace per visitor turn, across processes through NATS headers. Off by default.

On when an OTLP endpoint is configured the standard way (``OTEL_EXPORTER_OTLP_ENDPOINT`` or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``; ``OTEL_SDK_DISABLED=true`` or ``OTEL_TRACES_EXPORTER=none``
keep it off). Spans are sent over OTLP/HTTP in batches; every other ``OTEL_*`` variable
(sampler, headers, batch delay) works as the OpenTelemetry SDK documents it.

Off, nothing is imported from the SDK and each instrumented place costs one global check:
``span()`` hands back a shared no-op context manager and ``inject()`` returns at once.

A turn's trace: ``widget frame`` (gateway) -> ``turn`` (orchestrator) -> ``model call`` ->
``guard check`` (hallucination guard) and ``record`` (recorder); the W3C ``traceparent``
travels in the NATS headers of every event published during the turn. FastAPI's own spans
(HTTP requests, the WebSocket) go to the same exporter once the provider is set.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Tracer

    from orchestrator.providers.base import ChatMessage, Chunk, Provider
    from shared.events import Source
    from shared.tenants import Tenant

ENABLED = False
_tracer: Tracer | None = None
_NULL: AbstractContextManager[None] = contextlib.nullcontext()


def wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for traces (an OTLP endpoint, not disabled)."""
    if environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    if environ.get("OTEL_TRACES_EXPORTER", "").lower() == "none":
        return False
    return bool(environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def setup_tracing(service: str, exporter: SpanExporter | None = None) -> bool:
    """Turn tracing on for this process when configured (or when given an ``exporter``); True if on."""
    if exporter is None and not wanted():
        return False
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": f"switchboard-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    enable(provider)
    return True


def enable(provider: TracerProvider) -> None:
    """Trace with ``provider`` (tests hand in one with an in-memory exporter)."""
    global ENABLED, _tracer
    _tracer = provider.get_tracer("switchboard")
    ENABLED = True


def disable() -> None:
    global ENABLED, _tracer
    ENABLED, _tracer = False, None


def span(
    name: str, headers: Mapping[str, str] | None = None, *, root: bool = False, **attributes: Any
) -> AbstractContextManager[Any]:
    """A span (current while the block runs), child of the context in ``headers`` if any, else of the current one.

    ``root``: the first span of a new trace, linked to the current span (a visitor turn inside
    the span FastAPI keeps open for the whole WebSocket: one trace per turn, not per socket).
    """
    if not ENABLED or _tracer is None:
        return _NULL
    from opentelemetry import propagate, trace
    from opentelemetry.context import Context

    if root:
        current = trace.get_current_span().get_span_context()
        links = [trace.Link(current)] if current.is_valid else []
        return _tracer.start_as_current_span(name, context=Context(), links=links, attributes=attributes)
    parent = propagate.extract(headers) if headers else None
    return _tracer.start_as_current_span(name, context=parent, attributes=attributes)


def inject(headers: dict[str, str]) -> dict[str, str]:
    """Add the current trace context (``traceparent``) to NATS headers about to be published."""
    if ENABLED:
        from opentelemetry import propagate

        propagate.inject(headers)
    return headers


def traced_provider(provider: Provider) -> Provider:
    """``provider`` with a ``model call`` span around each reply it streams (itself when tracing is off)."""
    return _TracedProvider(provider) if ENABLED else provider


class _TracedProvider:
    def __init__(self, inner: Provider) -> None:
        self.inner = inner
        self.name = inner.name

    def __getattr__(self, name: str) -> Any:  # model, aclose, ... of the provider itself
        return getattr(self.inner, name)

    async def stream(self, messages: list[ChatMessage], sources: list[Source], tenant: Tenant) -> AsyncIterator[Chunk]:
        # start_span, not start_as_current_span: a generator may resume in another context.
        assert _tracer is not None
        current = _tracer.start_span("model call", attributes={"provider": self.name, "tenant_id": tenant.id})
        chunks = 0
        try:
            async for chunk in self.inner.stream(messages, sources, tenant):
                chunks += 1
                yield chunk
        finally:
            current.set_attribute("chunks", chunks)
            current.end()


@contextlib.contextmanager
def spans(name: str, headers_of: list[Mapping[str, str] | None], **attributes: Any) -> Iterator[None]:
    """One span per message of a batch (each in its own trace), all open while the block runs."""
    if not ENABLED or _tracer is None:
        yield
        return
    from opentelemetry import propagate

    opened = [
        _tracer.start_span(name, context=propagate.extract(h) if h else None, attributes=attributes) for h in headers_of
    ]
    try:
        yield
    finally:
        for s in opened:
            s.end()
