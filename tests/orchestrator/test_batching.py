"""Token deltas leave in batches: the first chunk at once, later ones joined per interval."""

from __future__ import annotations

import asyncio

from orchestrator.graph import _batched
from shared.events import Source

SOURCES = [Source(id="1", title="Returns", snippet="30 days")]


async def test_what_is_already_queued_leaves_as_one_batch_after_the_sources() -> None:
    queue: asyncio.Queue[list[Source] | str | None] = asyncio.Queue()
    for item in (SOURCES, "Re", "turns ", "take ", "30 days.", None):
        queue.put_nowait(item)
    assert [item async for item in _batched(queue, 10.0)] == [SOURCES, "Returns take 30 days."]


async def test_the_first_chunk_leaves_at_once_and_the_end_flushes_the_rest_without_waiting() -> None:
    queue: asyncio.Queue[list[Source] | str | None] = asyncio.Queue()
    batches = _batched(queue, 3600.0)  # an interval no test would wait out
    queue.put_nowait("Hello")
    assert await asyncio.wait_for(anext(batches), 5) == "Hello"
    nxt = asyncio.ensure_future(anext(batches))
    queue.put_nowait(", ")
    queue.put_nowait("world")
    await asyncio.sleep(0)  # let the batcher take both chunks while it waits for the interval
    assert not nxt.done()  # held back: the interval since "Hello" has not passed
    queue.put_nowait(None)
    assert await asyncio.wait_for(nxt, 5) == ", world"
    assert [item async for item in batches] == []


async def test_a_held_chunk_leaves_when_the_interval_is_up_even_if_nothing_follows() -> None:
    queue: asyncio.Queue[list[Source] | str | None] = asyncio.Queue()
    batches = _batched(queue, 0.05)
    queue.put_nowait("a")
    assert await asyncio.wait_for(anext(batches), 5) == "a"
    queue.put_nowait("b")
    assert await asyncio.wait_for(anext(batches), 5) == "b"  # no further chunk, no end: the timer sends it


async def test_no_interval_passes_every_chunk_through() -> None:
    queue: asyncio.Queue[list[Source] | str | None] = asyncio.Queue()
    for item in ("a", "b", "c", None):
        queue.put_nowait(item)
    assert [item async for item in _batched(queue, 0.0)] == ["a", "b", "c"]
