"""Replies this replica is streaming right now, by conversation: text so far and how to stop them.

Also answers "what has this reply said so far?" (the gateway's resume request) while a reply
streams, and cancels a reply when an agent takes the conversation over.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from shared.subjects import stream_state_subject

log = logging.getLogger(__name__)

Key = tuple[str, str]


@dataclass
class ActiveStream:
    tenant_id: str
    conversation_id: str
    message_id: str
    parts: list[str] = field(default_factory=list)
    # Characters streamed so far (len(text) without joining the parts on every delta).
    length: int = 0
    done: bool = False
    # A rerun: characters an earlier run of this reply already showed (held back until passed).
    shown_before: int = 0
    cancel_reason: str | None = None
    # The task producing the text; cancelled so the provider stops within one token.
    task: asyncio.Task[Any] | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def append(self, part: str) -> int:
        """Add a streamed part; returns its offset in the reply."""
        offset = self.length
        self.parts.append(part)
        self.length += len(part)
        return offset

    def state(self) -> dict[str, Any] | None:
        """What the reply says so far; None while a rerun is still shorter than what was shown."""
        if self.length < self.shown_before:
            return None
        return {"message_id": self.message_id, "text": self.text, "done": self.done}

    def cancel(self, reason: str) -> bool:
        if self.done or self.cancel_reason is not None:
            return False
        self.cancel_reason = reason
        if self.task is not None:
            self.task.cancel()
        return True


Subscribe = Callable[[str, Callable[[Any], Awaitable[None]]], Awaitable[Any]]


class StreamRegistry:
    """Active streams of this replica. ``subscribe`` (a NATS client's) makes them answer state requests."""

    def __init__(self, subscribe: Subscribe | None = None) -> None:
        self._streams: dict[Key, ActiveStream] = {}
        self._subscriptions: dict[Key, Any] = {}
        self._subscribe = subscribe
        # Cancels received so far (for a stream here or not): a turn that read the conversation's
        # mode before opening its stream compares this to know no takeover slipped in between.
        self.cancels = 0

    def get(self, tenant_id: str, conversation_id: str) -> ActiveStream | None:
        return self._streams.get((tenant_id, conversation_id))

    def __len__(self) -> int:
        return len(self._streams)

    async def open(self, tenant_id: str, conversation_id: str, message_id: str) -> ActiveStream:
        key = (tenant_id, conversation_id)
        stream = ActiveStream(tenant_id, conversation_id, message_id)
        self._streams[key] = stream
        if self._subscribe is not None and key not in self._subscriptions:
            self._subscriptions[key] = await self._subscribe(
                stream_state_subject(tenant_id, conversation_id), self._state_responder(key)
            )
        return stream

    async def close(self, stream: ActiveStream) -> None:
        stream.done = True
        key = (stream.tenant_id, stream.conversation_id)
        if self._streams.get(key) is stream:
            del self._streams[key]
            sub = self._subscriptions.pop(key, None)
            if sub is not None:
                try:
                    await sub.unsubscribe()
                except Exception:  # a closed connection already dropped it
                    log.debug("unsubscribe failed for %s", key, exc_info=True)

    def cancel(self, tenant_id: str, conversation_id: str, reason: str) -> bool:
        """Stop the reply streaming in this conversation, if this replica streams one; True if it did."""
        self.cancels += 1
        stream = self.get(tenant_id, conversation_id)
        return stream.cancel(reason) if stream is not None else False

    def _state_responder(self, key: Key) -> Callable[[Any], Awaitable[None]]:
        async def respond(msg: Any) -> None:
            stream = self._streams.get(key)
            try:
                wanted = json.loads(msg.data or b"{}").get("message_id")
            except (ValueError, AttributeError):
                wanted = None
            state = stream.state() if stream is not None else None
            if state is None or (wanted and wanted != state["message_id"]):
                # Not ours (any more), or a rerun still behind what the widget shows: stay silent
                # so the requester times out (or another replica answers) and no text shrinks.
                return
            await msg.respond(json.dumps(state).encode())

        return respond
