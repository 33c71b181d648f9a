"""A model provider that streams scripted chunks, records what it was asked, and can pause mid-reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from shared.events import Source
from shared.tenants import Tenant


class ScriptedProvider:
    """Streams ``replies`` in order (the last repeats), one chunk per word.

    ``pause_after=n`` stops after n chunks of each reply until ``resume`` is set; ``paused`` is
    set when it gets there, so a test can act mid-stream without sleeping.
    """

    name = "scripted"

    def __init__(self, replies: Sequence[str] | str = "Scripted answer.", pause_after: int | None = None) -> None:
        self.replies = [replies] if isinstance(replies, str) else list(replies)
        self.pause_after = pause_after
        self.paused = asyncio.Event()
        self.resume = asyncio.Event()
        self.calls: list[dict[str, Any]] = []
        self.closed = 0

    def chunks(self, text: str) -> list[str]:
        words = text.split(" ")
        return [w if i == 0 else " " + w for i, w in enumerate(words)]

    async def stream(self, messages: list[Any], sources: list[Source], tenant: Tenant) -> AsyncIterator[str]:
        reply = self.replies[min(len(self.calls), len(self.replies) - 1)]
        self.calls.append({"messages": list(messages), "sources": list(sources), "tenant": tenant.id})
        try:
            for i, chunk in enumerate(self.chunks(reply)):
                if self.pause_after is not None and i == self.pause_after:
                    self.paused.set()
                    await self.resume.wait()
                yield chunk
                await asyncio.sleep(0)
        finally:
            self.closed += 1
