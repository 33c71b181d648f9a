"""shared.checkpointer: a graph's state written through one saver is continued through a fresh one (both backends)."""

from __future__ import annotations

import operator
import uuid
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph

from shared.checkpointer import checkpointer
from shared.db.migrate import upgrade_head
from tests.shared.db.backends import backend, database_url  # noqa: F401


class Turns(TypedDict):
    said: Annotated[list[str], operator.add]
    turns: int


def answer(state: Turns) -> dict[str, object]:
    return {"said": [f"reply {state['turns'] + 1}"], "turns": state["turns"] + 1}


def builder() -> StateGraph:
    graph = StateGraph(Turns)
    graph.add_node("answer", answer)
    graph.add_edge(START, "answer")
    graph.add_edge("answer", END)
    return graph


async def test_another_replica_continues_the_thread(database_url: str) -> None:  # noqa: F811
    config = {"configurable": {"thread_id": uuid.uuid4().hex}}
    # Replica A answers the first turn and goes away.
    async with checkpointer(database_url) as saver_a:
        first = await builder().compile(checkpointer=saver_a).ainvoke({"said": ["hello"], "turns": 0}, config)
    assert first == {"said": ["hello", "reply 1"], "turns": 1}

    # Replica B, a new saver on the same database, takes the next turn from the stored state.
    async with checkpointer(database_url) as saver_b:
        graph = builder().compile(checkpointer=saver_b)
        second = await graph.ainvoke({"said": ["again"], "turns": 1}, config)
        assert second["said"] == ["hello", "reply 1", "again", "reply 2"]
        history = [s async for s in graph.aget_state_history(config)]
        assert len(history) >= 4  # input + step per turn, all readable by B

    # The saver's tables live beside ours without confusing Alembic.
    await upgrade_head(database_url)


async def test_setup_twice_concurrently_is_safe(database_url: str) -> None:  # noqa: F811
    import asyncio

    async def open_one() -> bool:
        async with checkpointer(database_url) as saver:
            return await saver.aget_tuple({"configurable": {"thread_id": "none"}}) is None

    assert await asyncio.gather(open_one(), open_one()) == [True, True]
