"""The embedded mode's checkpointer: a SQLite file, one thread hop per call, shared by replicas."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from orchestrator.app import database_checkpointer
from orchestrator.graph import build_graph, thread_id
from orchestrator.inprocess import run_turn
from shared.checkpoint_sqlite import ThreadedSqliteSaver
from shared.settings import Settings
from shared.tenants import Tenant
from tests.fakes.scripted_provider import ScriptedProvider


async def test_sqlite_url_gets_the_threaded_saver_and_replicas_share_history(
    settings: Settings, acme: Tenant, tmp_path: Path
) -> None:
    provider = ScriptedProvider(["Express costs $14.95.", "Yes, to Canada too."])
    # Two savers on one file: two replicas of the embedded mode.
    async with database_checkpointer(settings) as first, database_checkpointer(settings) as second:
        assert isinstance(first, ThreadedSqliteSaver)
        await run_turn(acme, "Express price?", provider, graph=build_graph(first), conversation_id="c1")
        await run_turn(acme, "And to Canada?", provider, graph=build_graph(second), conversation_id="c1")
        state = await build_graph(first).aget_state({"configurable": {"thread_id": thread_id("acme", "c1")}})
        listed = [c async for c in first.alist({"configurable": {"thread_id": thread_id("acme", "c1")}})]
    assert provider.calls[1]["messages"][:2] == [
        {"role": "user", "content": "Express price?"},
        {"role": "assistant", "content": "Express costs $14.95."},
    ]
    assert [h["answer"] for h in state.values["history"]] == ["Express costs $14.95.", "Yes, to Canada too."]
    assert len(listed) == 2  # durability="exit": one checkpoint per turn
    db = sqlite3.connect(settings.database_url.split("///", 1)[1])
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


async def test_concurrent_turns_in_different_conversations(settings: Settings, acme: Tenant) -> None:
    provider = ScriptedProvider("ok")
    async with database_checkpointer(settings) as saver:
        graph = build_graph(saver)
        replies = await asyncio.gather(
            *(run_turn(acme, f"q{n}", provider, graph=graph, conversation_id=f"c{n}") for n in range(8))
        )
        states = [await graph.aget_state({"configurable": {"thread_id": thread_id("acme", f"c{n}")}}) for n in range(8)]
    assert replies == ["ok"] * 8
    assert [s.values["history"][0]["question"] for s in states] == [f"q{n}" for n in range(8)]
