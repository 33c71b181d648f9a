"""Stopping background tasks without trusting cancellation to arrive.

Client libraries below us (nats-py among them) sometimes swallow a CancelledError; a plain
``task.cancel(); await task`` then hangs shutdown for as long as the task's next timer. Loops
therefore also check a stop flag, and shutdown waits a bounded time.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)


async def stop_tasks(*tasks: asyncio.Task[object] | None, timeout: float = 5.0) -> None:
    """Cancel ``tasks`` and wait at most ``timeout`` for them; log the ones that did not stop."""
    running = [t for t in tasks if t is not None and not t.done()]
    for task in running:
        task.cancel()
    if not running:
        return
    _, stuck = await asyncio.wait(running, timeout=timeout)
    for task in stuck:
        log.warning("task %s did not stop within %.0fs", task.get_name(), timeout)
