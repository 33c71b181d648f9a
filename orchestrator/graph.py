"""The LangGraph graph of one turn: load_context -> retrieve -> generate (streaming).

Generated text leaves the graph through the custom stream (``stream_mode="custom"``), one
item per provider chunk; conversation history persists through the checkpointer under
``thread_id = "{tenant}:{conversation}"``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from orchestrator.prompts import HistoryEntry, chat_messages, merge_history
from orchestrator.providers.base import ChatMessage, Provider
from orchestrator.retrieval import retrieve as retrieve_sources
from shared.events import Source
from shared.tenants import Tenant


class TurnState(TypedDict, total=False):
    message_id: str
    question: str
    history: Annotated[list[HistoryEntry], merge_history]
    messages: list[ChatMessage]
    # Plain dicts (Source.model_dump()) so any checkpointer can store them.
    sources: list[dict[str, Any]]
    answer: str


@dataclass
class TurnContext:
    tenant: Tenant
    provider: Provider


def thread_id(tenant_id: str, conversation_id: str) -> str:
    return f"{tenant_id}:{conversation_id}"


def load_context(state: TurnState) -> TurnState:
    history = state.get("history", [])
    return {"messages": chat_messages(history, state["question"], state["message_id"]), "answer": ""}


def retrieve(state: TurnState, runtime: Runtime[TurnContext]) -> TurnState:
    sources = retrieve_sources(runtime.context.tenant.knowledge_base, state["question"])
    return {"sources": [s.model_dump() for s in sources]}


async def generate(state: TurnState, runtime: Runtime[TurnContext]) -> TurnState:
    sources = [Source.model_validate(s) for s in state.get("sources", [])]
    parts: list[str] = []
    async for chunk in runtime.context.provider.stream(state["messages"], sources, runtime.context.tenant):
        parts.append(chunk)
        runtime.stream_writer(chunk)
    answer = "".join(parts)
    entry: HistoryEntry = {"id": state["message_id"], "question": state["question"], "answer": answer}
    return {"answer": answer, "history": [entry]}


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    builder = StateGraph(TurnState, context_schema=TurnContext)
    builder.add_node("load_context", load_context)
    builder.add_node("retrieve", retrieve)
    builder.add_node("generate", generate)
    builder.add_edge(START, "load_context")
    builder.add_edge("load_context", "retrieve")
    builder.add_edge("retrieve", "generate")
    builder.add_edge("generate", END)
    return builder.compile(checkpointer=checkpointer if checkpointer is not None else InMemorySaver())


@dataclass
class TurnInput:
    tenant: Tenant
    conversation_id: str
    message_id: str
    question: str


async def sources_then_chunks(
    graph: CompiledStateGraph, turn: TurnInput, provider: Provider
) -> AsyncIterator[list[Source] | str]:
    """Run one turn: yields the retrieved sources once (a list), then each text chunk (a str)."""
    config = {"configurable": {"thread_id": thread_id(turn.tenant.id, turn.conversation_id)}}
    inputs: TurnState = {"message_id": turn.message_id, "question": turn.question}
    context = TurnContext(tenant=turn.tenant, provider=provider)
    async for mode, item in graph.astream(inputs, config, context=context, stream_mode=["updates", "custom"]):
        if mode == "custom":
            yield item
        elif "retrieve" in item:
            yield [Source.model_validate(s) for s in item["retrieve"]["sources"]]
