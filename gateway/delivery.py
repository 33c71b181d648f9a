"""Delivery to one socket: everything ``sb.push`` carries for its conversation, in order, gap-free on resume.

The NATS callback never waits on the socket: frames go into a bounded queue that a sender
task drains. A socket that falls that far behind is closed (``behind``); the widget
reconnects and resumes from its last seq, so nothing is lost.

Core NATS drops what is published while the gateway is disconnected from it, so after a
reconnect every open delivery replays the stream from where it was (``OpenDeliveries``).

The stream's republish also sees a new subscription a few milliseconds after the server has
confirmed it (``flush``), so the first events stored right after subscribing can miss it. The
first live durable event after each (re)subscription is therefore checked against the stream,
and anything of this conversation stored before it and not yet sent is sent first; and when no
live durable event came within ``VERIFY_AFTER_S`` (the missed event may be the last one for a
while), the stream is read once then for what was stored since subscribing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext

from gateway import replay
from gateway.commands import Visitor
from shared.events import MessageDelta
from shared.subjects import CONV_STREAM, Channel, conversation_pattern
from shared.widget_protocol import Resumed

log = logging.getLogger(__name__)

MAX_QUEUE = 4096
MAX_BUFFER = 8192
VERIFY_AFTER_S = 0.5  # well beyond the republish's lag in seeing a new subscription
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

    def stale(self, snapshots: dict[str, int], ended: set[str]) -> bool:
        """True for a held delta the replay made useless: its reply ended, or a snapshot holds its text."""
        if self.seq is not None or not (snapshots or ended) or b'"message.delta"' not in self.payload:
            return False
        try:
            data = json.loads(self.payload)
        except ValueError:
            return False
        message_id = data.get("message_id")
        if data.get("type") != DELTA or not isinstance(message_id, str):
            return False
        if message_id in ended:
            return True  # the replayed message.completed / cancelled already has the whole text
        offset, text = data.get("offset"), data.get("text")
        covered = snapshots.get(message_id, -1)
        return isinstance(offset, int) and isinstance(text, str) and offset + len(text) <= covered


class Delivery:
    """One socket's view of its conversation: a live subscription, replays, and the outgoing queue.

    Invariant: durable events leave in strictly increasing ``seq`` (``last_seq``), never twice
    unless the widget asks again with a lower ``after_seq``.
    """

    def __init__(self, nc: Client, js: JetStreamContext, visitor: Visitor, max_queue: int = MAX_QUEUE) -> None:
        self.nc = nc
        self.js = js
        self.visitor = visitor
        self.queue: asyncio.Queue[str] = asyncio.Queue(max_queue)
        # Set when the socket must be closed so the widget reconnects and resumes.
        self.behind = asyncio.Event()
        self.last_seq = 0
        self.started_at = datetime.now(UTC)
        # Not None while a resume is running: live events wait here until the replay is sent.
        self._buffer: list[Outgoing] | None = []
        self._sub: Subscription | None = None
        self._resuming = asyncio.Lock()
        # Until a live durable event proves the subscription sees the republish: (see module doc)
        self._unverified = False
        # Stored events up to here predate the subscription (a live socket does not owe them).
        self._floor = 0
        self._verifier: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Subscribe live (buffering until ``go_live`` or ``resume``)."""
        pattern = conversation_pattern(Channel.PUSH, self.visitor.tenant_id, self.visitor.conversation_id)
        # Read before subscribing: every event stored later is this socket's to deliver.
        self._floor = (await self.js.stream_info(CONV_STREAM)).state.last_seq
        self._unverified = True
        self._sub = await self.nc.subscribe(pattern, cb=self._on_msg)
        # The server must know the subscription before a replay reads the stream, or an
        # event stored in between would be in neither.
        await self.nc.flush()
        self._verify_later()

    async def close(self) -> None:
        if self._verifier is not None:
            self._verifier.cancel()
        if self._sub is not None:
            sub, self._sub = self._sub, None
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    def send(self, frame: str) -> None:
        """Queue a frame of our own (hello, ack, error) behind what is already queued."""
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.behind.set()

    def go_live(self) -> None:
        self._flush({}, set())

    async def resume(self, after_seq: int, state_timeout: float = 1.0) -> Resumed:
        """Replay stored events after ``after_seq``, fill in a streaming reply, then go live."""
        async with self._resuming:
            return await self._replay(after_seq, None, state_timeout)

    async def recover(self, state_timeout: float = 1.0) -> Resumed:
        """Replay what core NATS may have dropped while the connection was down."""
        async with self._resuming:
            self._unverified = True  # the subscription was sent again on reconnect
            self._verify_later()
            if self.last_seq:
                return await self._replay(self.last_seq, None, state_timeout)
            # Nothing durable sent yet: replay from when the socket opened, not from the start.
            return await self._replay(0, self.started_at, state_timeout)

    async def _replay(self, after_seq: int, since: datetime | None, state_timeout: float) -> Resumed:
        if self._buffer is None:
            self._buffer = []
        self.last_seq = after_seq
        open_replies: dict[str, None] = {}
        ended: set[str] = set()
        # A reply may have started before the replay point and still be streaming.
        earlier = await replay.open_reply_before(self.js, self.visitor, after_seq if since is None else 2**63)
        if earlier is not None:
            open_replies[earlier] = None
        replayed = 0
        async for seq, payload in replay.stored_after(self.js, self.visitor, after_seq, since):
            if seq <= self.last_seq:
                continue
            replayed += 1
            item = Outgoing(seq, payload)
            _track_replies(payload, open_replies, ended)
            self.last_seq = seq
            with contextlib.suppress(ValueError):  # not JSON: nothing a widget could use
                await self.queue.put(item.frame())
        snapshots = await self._snapshots(list(open_replies), state_timeout)
        self._flush(snapshots, ended)
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

    def _flush(self, snapshots: dict[str, int], ended: set[str]) -> None:
        # No await between here and clearing the buffer: callbacks cannot interleave.
        buffered, self._buffer = self._buffer or [], None
        for item in buffered:
            if not item.stale(snapshots, ended):
                self._deliver(item)

    async def _on_msg(self, msg: Msg) -> None:
        item = Outgoing.from_msg(msg)
        if self._buffer is None and self._unverified and item.seq is not None:
            await self._first_live(item)
        elif self._buffer is None:
            self._deliver(item)
        elif len(self._buffer) < MAX_BUFFER:
            self._buffer.append(item)
        else:
            self.behind.set()

    async def _first_live(self, item: Outgoing) -> None:
        """Deliver the first live durable event after what the republish may have missed before it."""
        assert item.seq is not None
        self._unverified = False
        async with self._resuming:
            after = max(self.last_seq, self._floor)
            if self._buffer is None and item.seq > after + 1:
                try:
                    await self._fill(after, item.seq)
                except Exception as exc:
                    log.warning("checking %s before seq %s failed: %r", self.visitor.conversation_id, item.seq, exc)
                    self.behind.set()  # the widget reconnects and resumes: a gap is never left silently
            if self._buffer is None:
                self._deliver(item)
            else:
                self._buffer.append(item)

    def _verify_later(self) -> None:
        if self._verifier is not None:
            self._verifier.cancel()
        self._verifier = asyncio.create_task(self._verify())

    async def _verify(self) -> None:
        """Unless a live durable event has proven the subscription: send what was stored since it began."""
        while True:
            await asyncio.sleep(VERIFY_AFTER_S)  # a timer: the republish's lag announces nothing
            async with self._resuming:
                if not self._unverified:
                    return  # a live durable event proved the subscription meanwhile
                if self._buffer is None:
                    await self._verified()
                    return
            # Not live yet (the socket has not resumed or gone live): look again later.

    async def _verified(self) -> None:
        """Under ``_resuming``: send what was stored since subscribing, then what came live meanwhile."""
        self._unverified = False
        self._buffer = []  # live events wait behind what the stream holds
        try:
            async for seq, payload in replay.stored_after(self.js, self.visitor, max(self.last_seq, self._floor)):
                self._deliver(Outgoing(seq, payload))
        except Exception as exc:
            log.warning("checking %s after subscribing failed: %r", self.visitor.conversation_id, exc)
            self.behind.set()  # the widget reconnects and resumes: a gap is never left silently
        finally:
            self._flush({}, set())

    async def _fill(self, after_seq: int, before_seq: int) -> None:
        async with contextlib.aclosing(replay.stored_after(self.js, self.visitor, after_seq)) as stored:
            async for seq, payload in stored:
                if seq >= before_seq:
                    return
                self._deliver(Outgoing(seq, payload))

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


def _track_replies(payload: bytes, open_replies: dict[str, None], ended: set[str]) -> None:
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
        ended.add(message_id)


class OpenDeliveries:
    """Every open socket's delivery in this process, so all can recover after a NATS reconnect."""

    def __init__(self) -> None:
        self._open: set[Delivery] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._open)

    def add(self, delivery: Delivery) -> None:
        self._open.add(delivery)

    def discard(self, delivery: Delivery) -> None:
        self._open.discard(delivery)

    def send_to_tenant(self, tenant_id: str, frame: str) -> int:
        """Queue ``frame`` on every open socket of the tenant; how many."""
        sockets = [d for d in self._open if d.visitor.tenant_id == tenant_id]
        for delivery in sockets:
            delivery.send(frame)
        return len(sockets)

    async def recover_all(self) -> None:
        for delivery in list(self._open):
            task = asyncio.create_task(self._recover(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _recover(delivery: Delivery) -> None:
        try:
            await delivery.recover()
        except Exception as exc:
            log.warning("recovering %s after a NATS reconnect failed: %r", delivery.visitor.conversation_id, exc)
            # Closing makes the widget reconnect and resume: a gap is never left silently.
            delivery.behind.set()
