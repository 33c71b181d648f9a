"""A SQLite checkpointer whose every async call is one thread hop (the embedded mode's history store).

LangGraph's AsyncSqliteSaver awaits aiosqlite once per cursor step (about six hops per read),
all under one asyncio lock. With several conversations streaming, each hop waits a busy
event-loop iteration, and the checkpoint read before a turn took ~70 ms at ten
conversations. This saver runs the sync SqliteSaver method whole in a worker thread
instead: same tables, same file (WAL, synchronous=NORMAL like shared.db.engine), any
replica reads what another wrote. Postgres (psycopg async) needs none of this.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata, CheckpointTuple
from langgraph.checkpoint.sqlite import SqliteSaver

from shared.db.engine import SQLITE_PRAGMAS


class ThreadedSqliteSaver(SqliteSaver):
    """SqliteSaver with async methods that each run the sync one in a worker thread."""

    async def aget_tuple(self, config: Any) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)

    async def alist(
        self,
        config: Any,
        *,
        filter: dict[str, Any] | None = None,
        before: Any = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        found = await asyncio.to_thread(lambda: list(self.list(config, filter=filter, before=before, limit=limit)))
        for item in found:
            yield item

    async def aput(
        self, config: Any, checkpoint: Checkpoint, metadata: CheckpointMetadata, new_versions: ChannelVersions
    ) -> Any:
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self, config: Any, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)

    async def aget_delta_channel_history(self, *, config: Any, channels: Sequence[str]) -> Mapping[str, Any]:
        return await asyncio.to_thread(lambda: self.get_delta_channel_history(config=config, channels=channels))


@contextmanager
def threaded_sqlite_saver(path: Path) -> Iterator[ThreadedSqliteSaver]:
    """A set-up saver on the SQLite file ``path``, closed on exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The saver serialises access with its own lock; the connection moves between worker threads.
    conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        for pragma in SQLITE_PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
        saver = ThreadedSqliteSaver(conn)
        saver.setup()
        yield saver
    finally:
        conn.close()
