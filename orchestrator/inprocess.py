"""One turn of the orchestrator's graph called in-process, without the bus (what the bench compares against)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from orchestrator.graph import TurnGraph, TurnInput, build_graph, sources_then_chunks
from orchestrator.providers import Provider
from shared.events import new_id
from shared.tenants import Tenant


async def stream_turn(
    tenant: Tenant,
    text: str,
    provider: Provider,
    *,
    conversation_id: str = "inprocess",
    message_id: str | None = None,
    graph: TurnGraph | None = None,
) -> AsyncIterator[str]:
    """Yield the reply's text chunks as the provider produces them."""
    turn = TurnInput(tenant, conversation_id, message_id or new_id(), text)
    async for item in sources_then_chunks(graph or build_graph(), turn, provider):
        if isinstance(item, str):
            yield item


async def run_turn(tenant: Tenant, text: str, provider: Provider, **kwargs: object) -> str:
    """The whole reply of one in-process turn."""
    return "".join([chunk async for chunk in stream_turn(tenant, text, provider, **kwargs)])  # type: ignore[arg-type]
