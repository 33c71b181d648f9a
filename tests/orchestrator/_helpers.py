"""Helpers for orchestrator tests."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import nats

from shared.events import Event, UserMessage, parse_event
from shared.subjects import Channel, conversation_pattern


class Recorder:
    """Collects published events in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.type == kind]


def widget_texts(deltas: list[Any]) -> list[str]:
    """A reply's text after each of its deltas, applied as the widget does: text[:offset] + delta."""
    text, shown = "", []
    for delta in deltas:
        text = text[: delta.offset] + delta.text
        shown.append(text)
    return shown


def never_rewinds(texts: list[str]) -> bool:
    """Each text starts with the one before it: nothing shown is ever taken back."""
    return all(later.startswith(earlier) for earlier, later in itertools.pairwise(texts))


def user_message(conversation_id: str, n: int, text: str = "What does express shipping cost?") -> UserMessage:
    return UserMessage(
        id=f"user-{conversation_id}-{n}",
        tenant_id="acme",
        conversation_id=conversation_id,
        message_id=f"m{n}",
        client_id=f"c{n}",
        visitor_id="v1",
        text=text,
    )


class Watcher:
    """Every event of one conversation as the gateway sees it on sb.push, in arrival order."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.queue: asyncio.Queue[Event] = asyncio.Queue()

    async def on_message(self, msg: Any) -> None:
        event = parse_event(msg.data)
        if msg.headers and "Nats-Sequence" in msg.headers:
            event.seq = int(msg.headers["Nats-Sequence"])
        self.events.append(event)
        await self.queue.put(event)

    async def until(self, kind: str, count: int = 1, timeout: float = 10) -> list[Event]:
        async def wait() -> list[Event]:
            while len(self.of(kind)) < count:
                await self.queue.get()
            return self.of(kind)

        return await asyncio.wait_for(wait(), timeout)

    def of(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.type == kind]


async def watch(nc: nats.NATS, conversation_id: str) -> Watcher:
    watcher = Watcher()
    await nc.subscribe(conversation_pattern(Channel.PUSH, "acme", conversation_id), cb=watcher.on_message)
    await nc.flush()
    return watcher
