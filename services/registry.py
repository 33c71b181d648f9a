"""The services Switchboard runs, by name: what `python -m services run NAME` starts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    description: str
    http_port_setting: str | None = None


SERVICES: dict[str, ServiceSpec] = {
    spec.name: spec
    for spec in (
        ServiceSpec("gateway", "gateway", "widget sessions, socket, assets, demo page", "gateway_port"),
        ServiceSpec("orchestrator", "orchestrator", "LangGraph turns: retrieve, generate, stream"),
        ServiceSpec("hallucination-guard", "guards.hallucination", "checks each streamed sentence against sources"),
        ServiceSpec("sentiment-monitor", "guards.sentiment", "scores visitor messages, asks for a human"),
        ServiceSpec("handoff", "handoff", "agent queue, REST API, agent WebSocket, console", "handoff_port"),
        ServiceSpec("recorder", "services.recorder", "writes every durable event to the database"),
        ServiceSpec("workers", "orchestrator.workers", "post-reply tasks: title, summary, webhooks"),
    )
}
