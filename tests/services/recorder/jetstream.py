"""Test helpers: publish events the way services do, and wait until a durable consumer has acked them all."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.bus import publish_headers
from shared.events import Event
from shared.subjects import STREAM_OF


async def publish(js: JetStreamContext, event: Event, headers: dict[str, str] | None = None) -> int:
    ack = await js.publish(
        event.subject,
        event.model_dump_json().encode(),
        headers=publish_headers(event) if headers is None else headers,
        stream=STREAM_OF[event.channel],
    )
    return int(ack.seq)


async def wait_consumed(js: JetStreamContext, stream: str, durable: str, timeout: float = 15.0) -> None:
    """Return once ``durable`` has acked everything in ``stream`` (the thing we wait for, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    last = (await js.stream_info(stream)).state.last_seq
    while True:
        try:
            info = await js.consumer_info(stream, durable)
            if info.ack_floor.stream_seq >= last and not info.num_ack_pending and not info.num_pending:
                return
        except NotFoundError:
            info = None
        if time.monotonic() > deadline:
            raise TimeoutError(f"Expected consumer {durable} on {stream} to ack up to seq {last}, got {info}")
        await asyncio.sleep(0.02)


async def polled(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 15.0) -> None:
    """Return once ``check()`` holds (for state with no event to wait on, like rows in a database)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Expected {what} within {timeout}s")
        await asyncio.sleep(0.02)
