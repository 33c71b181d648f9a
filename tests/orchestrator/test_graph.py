from pathlib import Path

import aiosqlite
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from orchestrator.graph import TurnInput, build_graph, sources_then_chunks, thread_id
from orchestrator.inprocess import run_turn, stream_turn
from orchestrator.prompts import merge_history
from orchestrator.providers import OfflineProvider
from orchestrator.retrieval import retrieve as retrieve_sources
from shared.events import Source
from shared.tenants import Tenant
from tests.fakes.scripted_provider import ScriptedProvider


async def test_sources_come_first_then_every_chunk(acme: Tenant) -> None:
    provider = ScriptedProvider("Express costs $14.95 today.")
    items = [
        item
        async for item in sources_then_chunks(
            build_graph(), TurnInput(acme, "c1", "m1", "What does express shipping cost?"), provider
        )
    ]
    assert isinstance(items[0], list)
    assert all(isinstance(s, Source) for s in items[0])
    assert items[0][0].id == "shipping#shipping-options-and-costs"
    assert items[1:] == ["Express", " costs", " $14.95", " today."]
    assert provider.calls[0]["sources"] == items[0]


async def test_second_turn_sees_the_first(acme: Tenant) -> None:
    graph = build_graph()
    provider = ScriptedProvider(["Express costs $14.95.", "Yes, to Canada too."])
    await run_turn(acme, "What does express shipping cost?", provider, graph=graph, conversation_id="c2")
    await run_turn(acme, "And to Canada?", provider, graph=graph, conversation_id="c2")
    assert provider.calls[1]["messages"] == [
        {"role": "user", "content": "What does express shipping cost?"},
        {"role": "assistant", "content": "Express costs $14.95."},
        {"role": "user", "content": "And to Canada?"},
    ]
    state = await graph.aget_state({"configurable": {"thread_id": thread_id("acme", "c2")}})
    assert [h["answer"] for h in state.values["history"]] == ["Express costs $14.95.", "Yes, to Canada too."]


async def test_conversations_do_not_share_history(acme: Tenant) -> None:
    graph = build_graph()
    provider = ScriptedProvider("ok")
    await run_turn(acme, "first", provider, graph=graph, conversation_id="a")
    await run_turn(acme, "second", provider, graph=graph, conversation_id="b")
    assert provider.calls[1]["messages"] == [{"role": "user", "content": "second"}]


async def test_rerun_turn_replaces_its_history_entry(acme: Tenant) -> None:
    graph = build_graph()
    provider = ScriptedProvider(["one", "one again", "two"])
    await run_turn(acme, "q1", provider, graph=graph, conversation_id="c", message_id="m1")
    await run_turn(acme, "q1", provider, graph=graph, conversation_id="c", message_id="m1")
    await run_turn(acme, "q2", provider, graph=graph, conversation_id="c", message_id="m2")
    assert provider.calls[1]["messages"] == [{"role": "user", "content": "q1"}]
    assert provider.calls[2]["messages"][:2] == [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "one again"},
    ]


def test_merge_history_keeps_order_and_a_bound() -> None:
    entries = [{"id": str(i), "question": "q", "answer": "a"} for i in range(15)]
    merged = merge_history([], entries)  # type: ignore[arg-type]
    assert [e["id"] for e in merged] == [str(i) for i in range(5, 15)]


async def test_inprocess_offline_turn_streams_the_kb_answer(acme: Tenant) -> None:
    chunks = [c async for c in stream_turn(acme, "Do hiking boots run small?", OfflineProvider())]
    assert len(chunks) > 5
    assert "half size" in "".join(chunks)


async def test_history_survives_a_database_checkpointer(acme: Tenant, tmp_path: Path) -> None:
    """State is plain data, so a SQL saver stores it; a new graph (another replica) sees the first turn."""
    async with aiosqlite.connect(str(tmp_path / "checkpoints.db")) as conn:
        saver = AsyncSqliteSaver(conn)
        await saver.setup()
        provider = ScriptedProvider(["Express costs $14.95.", "Yes."])
        await run_turn(acme, "Express shipping price?", provider, graph=build_graph(saver), conversation_id="c9")
        await run_turn(acme, "Even to Canada?", provider, graph=build_graph(saver), conversation_id="c9")
    assert provider.calls[1]["messages"][:2] == [
        {"role": "user", "content": "Express shipping price?"},
        {"role": "assistant", "content": "Express costs $14.95."},
    ]
    assert provider.calls[1]["sources"] == retrieve_sources(acme.knowledge_base, "Even to Canada?")
