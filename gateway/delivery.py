"""Delivery to one socket: everything ``sb.push`` carries for its conversation, in order, gap-free on resume.

The NATS callback never waits on the socket: frames go into a bounded queue that a sender
task drains. A socket that falls that far behind is closed (``overflowed``); the widget
reconnects and resumes from its last seq, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext

from gateway import replay
from gateway.commands import Visitor
from shared.events import MessageDelta
from shared.subjects import Channel, conversation_pattern
from shared.widget_protocol import Resumed

MAX_QUEUE = 4096
MAX_BUFFER = 8192
DELTA = MessageDelta.model_fields["type"].default


@dataclass(slots=True)
class Outgoing:
    """One bus event on its way to the socket."""

    seq: int | None
    payload: bytes

    @classmethod
    def from_msg(cls, msg: Msg) -> Outgoing:
        seq = (msg.headers or {}).get("Nats-Sequence")
        return cls(int(seq) if seq and seq.isdigit() else None, msg.data)

    def frame(self) -> str:
        if self.seq is None:
            # Ephemeral events (token deltas) pass through untouched: the hot path.
            return self.payload.decode()
        data = json.loads(self.payload)
        data["seq"] = self.seq
        return json.dumps(data, separators=(",", ":"))

    def covered_by(self, snapshots: dict[str, int]) -> bool:
        """True for a delta whose text a stream-state snapshot already sent."""
        if self.seq is not None or not snapshots or b'"message.delta"' not in self.payload:
            return False
        try:
            data = json.loads(self.payload)
        except ValueError:
            return False
        if data.get("type") != DELTA or data.get("message_id") not in snapshots:
            return False
        offset, text = data.get("offset"), data.get("text")
        return isinstance(offset, int) and isinstance(text, str) and offset + len(text) <= snapshots[data["message_id"]]


class Delivery:
    def __init__(self, nc: Client, js: JetStreamContext, visitor: Visitor, max_queue: int = MAX_QUEUE) -> None:
        self.nc = nc
        self.js = js
        self.visitor = visitor
        self.queue: asyncio.Queue[str] = asyncio.Queue(max_queue)
        self.overflowed = asyncio.Event()
        self.last_seq = 0
        # Not None while a resume is running: live events wait here until the replay is sent.
        self._buffer: list[Outgoing] | None = []
        self._sub: Subscription | None = None
        self._resuming = asyncio.Lock()

    async def start(self) -> None:
        """Subscribe live (buffering until ``go_live`` or ``resume``)."""
        pattern = conversation_pattern(Channel.PUSH, self.visitor.tenant_id, self.visitor.conversation_id)
        self._sub = await self.nc.subscribe(pattern, cb=self._on_msg)
        # The server must know the subscription before a replay reads the stream, or an
        # event stored in between would be in neither.
        await self.nc.flush()

    async def close(self) -> None:
        if self._sub is not None:
            sub, self._sub = self._sub, None
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    def send(self, frame: str) -> None:
        """Queue a frame of our own (hello, ack, error) behind what is already queued."""
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.overflowed.set()

    def go_live(self) -> None:
        self._flush({})

    async def resume(self, after_seq: int, state_timeout: float = 1.0) -> Resumed:
        """Replay stored events after ``after_seq``, fill in a streaming reply, then go live."""
        async with self._resuming:
            if self._buffer is None:
                self._buffer = []
            self.last_seq = after_seq
            open_replies: dict[str, None] = {}
            earlier = await replay.open_reply_before(self.js, self.visitor, after_seq)
            if earlier is not None:
                open_replies[earlier] = None
            replayed = 0
            async for seq, payload in replay.stored_after(self.js, self.visitor, after_seq):
                replayed += 1
                item = Outgoing(seq, payload)
                _track_replies(payload, open_replies)
                self.last_seq = max(self.last_seq, seq)
                await self.queue.put(item.frame())
            snapshots = await self._snapshots(list(open_replies), state_timeout)
            self._flush(snapshots)
            resumed = Resumed(after_seq=after_seq, last_seq=self.last_seq, replayed=replayed)
            self.send(resumed.model_dump_json())
            return resumed

    async def _snapshots(self, message_ids: list[str], timeout: float) -> dict[str, int]:
        """Send each open reply's text so far as one delta at offset 0; return its length per message."""
        snapshots: dict[str, int] = {}
        for message_id in message_ids:
            state = await replay.stream_state(self.nc, self.visitor, message_id, timeout)
            if state is None or state.done:
                continue
            delta = MessageDelta(
                tenant_id=self.visitor.tenant_id,
                conversation_id=self.visitor.conversation_id,
                message_id=message_id,
                offset=0,
                text=state.text,
            )
            await self.queue.put(delta.model_dump_json())
            snapshots[message_id] = len(state.text)
        return snapshots

    def _flush(self, snapshots: dict[str, int]) -> None:
        # No await between here and clearing the buffer: callbacks cannot interleave.
        buffered, self._buffer = self._buffer or [], None
        for item in buffered:
            if not item.covered_by(snapshots):
                self._deliver(item)

    async def _on_msg(self, msg: Msg) -> None:
        item = Outgoing.from_msg(msg)
        if self._buffer is None:
            self._deliver(item)
        elif len(self._buffer) < MAX_BUFFER:
            self._buffer.append(item)
        else:
            self.overflowed.set()

    def _deliver(self, item: Outgoing) -> None:
        if item.seq is not None:
            if item.seq <= self.last_seq:
                return  # already replayed (or sent by another path)
            self.last_seq = item.seq
        try:
            frame = item.frame()
        except ValueError:
            return  # not JSON: nothing a widget could use
        self.send(frame)


def _track_replies(payload: bytes, open_replies: dict[str, None]) -> None:
    """Follow message.created / completed / cancelled to know which replies are still streaming."""
    try:
        data = json.loads(payload)
    except ValueError:
        return
    message_id = data.get("message_id") if isinstance(data, dict) else None
    if not isinstance(message_id, str):
        return
    if data.get("type") == replay.CREATED:
        open_replies[message_id] = None
    elif data.get("type") in replay.ENDED:
        open_replies.pop(message_id, None)
