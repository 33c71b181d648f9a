"""Following one conversation on the bus, the way the widget socket does (gateway.delivery).

Shared by the ChatKit and AG-UI adapters: a ``Delivery`` (live subscription on the
conversation's push subject, replay from SB_CONV after a seq, the text so far of a streaming
reply) whose frames are parsed back into our events. Nothing is kept beyond the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import nats.js.errors
from nats.js import JetStreamContext

from gateway import replay
from gateway.commands import Visitor
from gateway.context import Gateway
from gateway.delivery import Delivery
from shared.events import Event, HandoffAccepted, HandoffEnded, HandoffQueued, parse_event
from shared.subjects import CONV_STREAM, Channel, subject

log = logging.getLogger(__name__)

HANDOFF_KINDS = {cls.model_fields["type"].default: cls for cls in (HandoffQueued, HandoffAccepted, HandoffEnded)}


@dataclass
class Followed:
    """One event off the bus and its stream sequence (None for ephemeral events)."""

    event: Event
    seq: int | None


class Follow:
    """Events of one conversation after ``after_seq``, then live, until closed."""

    def __init__(self, gateway: Gateway, visitor: Visitor) -> None:
        self.gateway = gateway
        self.visitor = visitor
        self.delivery = Delivery(gateway.nc, gateway.js, visitor)
        self.opened = False

    async def __aenter__(self) -> Follow:
        await self.open()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def open(self) -> None:
        """Subscribe (once; opening an open Follow does nothing)."""
        if self.opened:
            return
        # Not cancelled half-way: nats-py fails its read loop when a PONG answers a flush whose
        # waiter was cancelled (a client hanging up right away), so the subscription's flush finishes.
        starting = asyncio.ensure_future(self.delivery.start())
        try:
            await asyncio.shield(starting)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await starting
            await self.delivery.close()
            raise
        self.opened = True
        self.gateway.deliveries.add(self.delivery)  # recovered after a NATS reconnect like a socket

    async def close(self) -> None:
        self.gateway.deliveries.discard(self.delivery)
        await self.delivery.close()

    async def start(self, after_seq: int | None) -> None:
        """Replay what was stored after ``after_seq`` (None: nothing, only live from now)."""
        if after_seq is None:
            self.delivery.go_live()
        else:
            await self.delivery.resume(after_seq)

    async def next(self, timeout: float | None) -> Followed | None:
        """The next event, or None when ``timeout`` passes first. Raises Behind if the queue overflowed."""
        while True:
            if self.delivery.behind.is_set():
                raise Behind(self.delivery.last_seq)
            try:
                async with asyncio.timeout(timeout):
                    frame = await self.delivery.queue.get()
            except TimeoutError:
                return None
            followed = parse_frame(frame)
            if followed is not None:
                return followed

    async def events(self, idle_timeout: float) -> AsyncIterator[Followed | None]:
        """Every event; None after each ``idle_timeout`` without one (a heartbeat for the caller)."""
        while True:
            yield await self.next(idle_timeout)


class Behind(Exception):
    """The client read too slowly; it can resume after ``last_seq``."""

    def __init__(self, last_seq: int) -> None:
        super().__init__(f"too slow to keep up; resume after seq {last_seq}")
        self.last_seq = last_seq


def parse_frame(frame: str) -> Followed | None:
    """A delivery frame as our event; None for the delivery's own frames (resumed) and unknown types."""
    try:
        data = json.loads(frame)
        event = parse_event(data)
    except ValueError:
        return None
    return Followed(event, data.get("seq") if isinstance(data.get("seq"), int) else None)


async def stored(js: JetStreamContext, visitor: Visitor) -> AsyncIterator[tuple[int, Event]]:
    """Every stored visitor-visible event of the conversation, oldest first."""
    async for seq, payload in replay.stored_after(js, visitor, 0):
        with contextlib.suppress(ValueError):
            yield seq, parse_event(payload)


async def last_of(js: JetStreamContext, visitor: Visitor, kind: str) -> tuple[int, bytes] | None:
    try:
        raw = await js.get_last_msg(
            CONV_STREAM, subject(Channel.CONV, visitor.tenant_id, visitor.conversation_id, kind)
        )
    except nats.js.errors.NotFoundError:
        return None
    return raw.seq or 0, raw.data or b""


async def handoff_event(js: JetStreamContext, visitor: Visitor) -> Event | None:
    """The latest handoff event of the conversation (queued, accepted or ended), if any."""
    latest: tuple[int, bytes] | None = None
    for kind in HANDOFF_KINDS:
        found = await last_of(js, visitor, kind)
        if found is not None and (latest is None or found[0] > latest[0]):
            latest = found
    if latest is None:
        return None
    try:
        return parse_event(latest[1])
    except ValueError:
        return None


async def handoff_live(js: JetStreamContext, visitor: Visitor) -> bool:
    """True while a person is asked for or talking (queued or accepted, not yet ended)."""
    return isinstance(await handoff_event(js, visitor), HandoffQueued | HandoffAccepted)
