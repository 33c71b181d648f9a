"""A test agent console: the agent WebSocket read into a Feed in the background."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import websockets

from tests.handoff.conftest import Feed


@asynccontextmanager
async def agent_socket(
    ws_url: str, token: str, *, auth_frame: bool = False
) -> AsyncIterator[tuple[Feed, websockets.ClientConnection]]:
    """An agent socket fed into a Feed, once its snapshot arrived. ``auth_frame``: log in with a
    first frame, as the browser console does, instead of the Authorization header."""
    feed = Feed()
    headers = {} if auth_frame else {"Authorization": f"Bearer {token}"}
    async with websockets.connect(ws_url, additional_headers=headers) as ws:
        if auth_frame:
            await ws.send(json.dumps({"kind": "auth", "token": token}))

        async def pump() -> None:
            async for text in ws:
                feed.add(json.loads(text))

        task = asyncio.create_task(pump())
        try:
            await feed.wait(lambda f: f.get("kind") == "snapshot")
            yield feed, ws
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
