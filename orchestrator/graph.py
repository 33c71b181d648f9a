"""The LangGraph graph of one turn: load_context -> retrieve -> generate (streaming).

Sources and generated text leave the graph through ``TurnContext.emit`` as the nodes produce
them (in node order), or through LangGraph's custom stream when no emit is given. History
persists through the checkpointer under ``thread_id = "{tenant}:{conversation}"``.
load_context first folds what the conversation said since the last turn this history
reflects (orchestrator.transcript), when the turn knows its visitor message's sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

import httpx
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from orchestrator.prompts import HistoryEntry, chat_messages, merge_history
from orchestrator.providers.base import ChatMessage, Citations, Components, Provider, ToolCalls
from orchestrator.retrieval import search_in, tenant_knowledge
from orchestrator.tools import MAX_TOOL_ROUNDS, TOOL_FAILED, calls_message, run_tools
from orchestrator.transcript import ReadEvents, fold_events
from shared.events import Source
from shared.tenants import Tenant

log = logging.getLogger(__name__)


class TurnState(TypedDict, total=False):
    message_id: str
    question: str
    # SB_CONV sequence of the visitor message (None without JetStream: nothing is folded).
    seq: int | None
    # Every SB_CONV event up to this sequence is reflected in history.
    folded_through: int
    history: Annotated[list[HistoryEntry], merge_history]
    # Plain dicts (Source.model_dump()) so any checkpointer can store them.
    sources: list[dict[str, Any]]
    answer: str


@dataclass
class TurnContext:
    tenant: Tenant
    provider: Provider
    read_events: ReadEvents | None = None
    # Called with the sources (a list) then each chunk (a str, Components or Citations). Not LangGraph's
    # stream writer: that wakes the event loop through its self-pipe (a syscall) on every token.
    emit: Callable[[list[Source] | str | Components | Citations], None] | None = None
    conversation_id: str = ""
    # Calls tenants' tool endpoints (the orchestrator's client; one is made if none is given).
    http: httpx.AsyncClient | None = None


# The compiled per-turn graph, typed by its state and runtime context.
TurnGraph = CompiledStateGraph["TurnState", "TurnContext", "TurnState", "TurnState"]


def thread_id(tenant_id: str, conversation_id: str) -> str:
    return f"{tenant_id}:{conversation_id}"


async def load_context(state: TurnState, runtime: Runtime[TurnContext]) -> TurnState:
    history = state.get("history", [])
    update: TurnState = {}
    seq, after, read = state.get("seq"), state.get("folded_through", 0), runtime.context.read_events
    if seq is not None and read is not None and after < seq - 1:
        try:
            events = await read(after, seq)
        except Exception:  # NATS hiccup: answer without it; the next turn folds the same range
            log.warning("could not read the transcript before seq %s", seq, exc_info=True)
        else:
            update = {"history": fold_events(history, events), "folded_through": seq - 1}
    return {**update, "answer": ""}


async def retrieve(state: TurnState, runtime: Runtime[TurnContext]) -> TurnState:
    # Async on purpose: a sync node runs in a worker thread, and under load the hop (and the
    # GIL hand-over) cost more than the sub-millisecond BM25 lookup itself. With an embedding
    # model the question is embedded too (one request to the endpoint).
    context = runtime.context
    sources = await search_in(tenant_knowledge(context.tenant), state["question"], context.provider)
    if runtime.context.emit is not None:
        runtime.context.emit(sources)
    return {"sources": [s.model_dump() for s in sources]}


async def generate(state: TurnState, runtime: Runtime[TurnContext]) -> TurnState:
    """Stream the model's reply; run the tools it calls (all of a round at once) and stream on.

    The components tools return are streamed into the reply as they come. A tool that fails
    is reported to the model as failed; if the model then says nothing (or keeps calling
    tools past MAX_TOOL_ROUNDS), the visitor gets TOOL_FAILED rather than an empty reply.
    """
    context = runtime.context
    sources = [Source.model_validate(s) for s in state.get("sources", [])]
    parts: list[str] = []
    write = context.emit or runtime.stream_writer
    # The prompt is built here, not kept in state: every state channel is checkpointed, and the
    # prompt (the history again, plus the question) doubled each turn's checkpoint write.
    messages: list[ChatMessage] = chat_messages(state.get("history", []), state["question"], state["message_id"])
    failed = False
    for round_ in range(MAX_TOOL_ROUNDS + 1):
        calls: ToolCalls | None = None
        said = len(parts)
        async for chunk in context.provider.stream(messages, sources, context.tenant):
            if isinstance(chunk, ToolCalls):
                calls = chunk
                continue
            if isinstance(chunk, str):
                parts.append(chunk)
            write(chunk)
        if calls is None or not calls.calls:
            break
        if round_ == MAX_TOOL_ROUNDS:
            failed = True  # still calling tools: stop here
            break
        http = context.http or httpx.AsyncClient()
        try:
            outcomes = await run_tools(calls.calls, context.tenant, context.conversation_id, http)
        finally:
            if context.http is None:
                await http.aclose()
        for outcome in outcomes:
            if outcome.components:
                write(Components(outcome.components))
        failed = failed or not all(o.ok for o in outcomes)
        messages += [calls_message(calls.calls, "".join(parts[said:])), *(o.message() for o in outcomes)]
    if failed and not "".join(parts).strip():
        parts.append(TOOL_FAILED)
        write(TOOL_FAILED)
    answer = "".join(parts)
    entry: HistoryEntry = {"id": state["message_id"], "question": state["question"], "answer": answer}
    update: TurnState = {"answer": answer, "history": [entry]}
    if (seq := state.get("seq")) is not None:
        entry["seq"] = seq
        update["folded_through"] = max(seq, state.get("folded_through", 0))
    return update


def build_graph(
    checkpointer: BaseCheckpointSaver | None = None,
) -> TurnGraph:
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
    seq: int | None = None
    read_events: ReadEvents | None = None
    http: httpx.AsyncClient | None = None


TurnItem = list[Source] | str | Components | Citations


async def sources_then_chunks(
    graph: TurnGraph, turn: TurnInput, provider: Provider, interval: float = 0.0
) -> AsyncIterator[TurnItem]:
    """Run one turn: yields the retrieved sources once (a list), then the text in chunks (str)
    and any components the reply carries (Components), in the order the provider made them.

    With ``interval`` the model's chunks are batched: the first leaves at once, later ones at
    most one batch per ``interval`` (whatever arrived meanwhile, joined). Every bus message,
    socket frame and guard wake-up is per batch, not per model token.
    """
    config: RunnableConfig = {"configurable": {"thread_id": thread_id(turn.tenant.id, turn.conversation_id)}}
    # seq is always given, also as None: a stale one from the last checkpoint must not stay.
    inputs: TurnState = {"message_id": turn.message_id, "question": turn.question, "seq": turn.seq}
    queue: asyncio.Queue[TurnItem | None] = asyncio.Queue()
    context = TurnContext(
        tenant=turn.tenant,
        provider=provider,
        read_events=turn.read_events,
        emit=queue.put_nowait,
        conversation_id=turn.conversation_id,
        http=turn.http,
    )

    async def run() -> None:
        try:
            # durability="exit": one checkpoint write per turn instead of one per node; only
            # generate's history entry (and the folded range) must outlive the turn.
            await graph.ainvoke(inputs, config, context=context, durability="exit")
        finally:
            queue.put_nowait(None)

    task = asyncio.create_task(run())
    try:
        async for item in _batched(queue, interval):
            yield item
        await task  # the graph's error, if it failed
    finally:
        if not task.done():
            task.cancel()  # our consumer stopped (cancelled): stop the model within one token
        with contextlib.suppress(asyncio.CancelledError):
            await task


_NOTHING = object()


async def _batched(queue: asyncio.Queue[TurnItem | None], interval: float) -> AsyncIterator[TurnItem]:
    """The queue's items until None; text chunks joined into at most one batch per ``interval``."""
    if interval <= 0:
        while (each := await queue.get()) is not None:
            yield each
        return
    loop = asyncio.get_running_loop()
    sent_at = -math.inf
    item: object = await queue.get()
    while item is not None:
        if not isinstance(item, str):
            yield item  # type: ignore[misc]  # the sources, or components
            item = await queue.get()
            continue
        parts, due = [item], sent_at + interval
        while True:
            if not queue.empty():
                item = queue.get_nowait()
            elif loop.time() < due:
                try:
                    async with asyncio.timeout_at(due):
                        item = await queue.get()
                except TimeoutError:
                    item = _NOTHING
            else:
                item = _NOTHING
            if not isinstance(item, str):
                break
            parts.append(item)
        sent_at = loop.time()
        yield "".join(parts)
        if item is _NOTHING:
            item = await queue.get()
