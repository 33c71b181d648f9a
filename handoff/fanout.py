"""Agent sockets per tenant, fed by one NATS subscription set per tenant and by store changes.

Frames are JSON text. Bus events pass through as received (``{"kind":"event", ...}``); a
socket whose queue fills up is dropped rather than slowing everyone else down.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from handoff.records import AgentPresence, ConversationRecord
from handoff.summaries import ConversationSummary, visitor_view
from handoff.visibility import Viewer, may_see
from shared.subjects import Channel, parse, tenant_pattern

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg
    from nats.aio.subscription import Subscription

log = logging.getLogger(__name__)

# push: everything the widget sees (durable events republished with Nats-Sequence, tokens,
# typing); live: visitor typing; ops: sentiment scores and handoff requests.
FOLLOWED = (Channel.PUSH, Channel.LIVE, Channel.OPS)


class Outbox:
    """One agent socket's queue of frames; ``viewer`` decides which bus events it gets."""

    def __init__(self, maxsize: int, viewer: Viewer) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize)
        self.overflowed = False
        self.viewer = viewer

    def put(self, frame: str) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.overflowed = True
            self.queue.get_nowait()
            self.queue.put_nowait(None)  # tells the sender loop to close the socket


def event_frame(msg: Msg) -> str:
    channel = msg.subject.split(".", 2)[1]
    seq = (msg.headers or {}).get("Nats-Sequence")
    data = msg.data.decode() if msg.data else "null"
    return f'{{"kind":"event","channel":"{channel}","seq":{int(seq) if seq else "null"},"event":{data}}}'


def record_frame(value: ConversationRecord | AgentPresence | ConversationSummary) -> str:
    if isinstance(value, ConversationSummary):  # who the visitor is and what they said last, as the API shows it
        visitor = visitor_view(value, value.conversation_id).model_dump(mode="json")
        return json.dumps({"kind": "summary", "conversation_id": value.conversation_id, "visitor": visitor})
    kind = "conversation" if isinstance(value, ConversationRecord) else "agent"
    return json.dumps({"kind": kind, kind: value.model_dump(mode="json")})


class Fanout:
    def __init__(self, nc: Client, records: Callable[[str, str], ConversationRecord | None]) -> None:
        self.nc = nc
        self.records = records  # (tenant, conversation) -> the record in this replica's view
        self.outboxes: dict[str, set[Outbox]] = {}
        self.subs: dict[str, list[Subscription]] = {}
        # open sockets per (tenant, agent) in this replica; decides when a closed console means "gone"
        self.agent_sockets: dict[tuple[str, str], int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a background job owned by this fanout (cancelled on close)."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def add(self, tenant_id: str, outbox: Outbox) -> None:
        self.outboxes.setdefault(tenant_id, set()).add(outbox)
        if tenant_id not in self.subs:
            self.subs[tenant_id] = []
            for channel in FOLLOWED:
                sub = await self.nc.subscribe(tenant_pattern(channel, tenant_id), cb=self._on_msg)
                self.subs[tenant_id].append(sub)

    async def remove(self, tenant_id: str, outbox: Outbox) -> None:
        boxes = self.outboxes.get(tenant_id, set())
        boxes.discard(outbox)
        if not boxes:
            self.outboxes.pop(tenant_id, None)
            for sub in self.subs.pop(tenant_id, []):
                await sub.unsubscribe()

    def send(self, tenant_id: str, frame: str) -> None:
        for outbox in list(self.outboxes.get(tenant_id, ())):
            outbox.put(frame)

    async def _on_msg(self, msg: Msg) -> None:
        try:
            channel, tenant_id, conversation_id, kind = parse(msg.subject)
        except ValueError:
            return
        record = self.records(tenant_id, conversation_id)
        frame: str | None = None
        for outbox in list(self.outboxes.get(tenant_id, ())):
            if may_see(outbox.viewer, record, channel, kind):
                frame = frame or event_frame(msg)
                outbox.put(frame)

    def on_store_change(self, value: ConversationRecord | AgentPresence | ConversationSummary) -> None:
        self.send(value.tenant_id, record_frame(value))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for tenant_id in list(self.subs):
            for sub in self.subs.pop(tenant_id):
                await sub.unsubscribe()
