"""Reading a run of stored messages in one round trip: JetStream's batched direct get.

``js.get_msg(next=True)`` answers one message per request, so reading a conversation's last
few events costs one round trip each. A direct get with ``batch`` (nats-server 2.11+) answers
up to ``batch`` messages on a subject filter to one inbox, then an end-of-batch status
(204 ``EOB``); nats-py has no call for it, so this is that call. The stream needs
``allow_direct`` (SB_CONV has it).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass

import nats.errors
from nats.aio.client import Client

# Status codes of the answers: the end of a batch, nothing stored there, no such stream.
END_OF_BATCH = "204"
NOT_FOUND = "404"
BATCH = 256


class DirectGetError(Exception):
    """The server refused the direct get (e.g. the stream does not exist)."""


@dataclass(frozen=True, slots=True)
class Stored:
    seq: int
    subject: str
    data: bytes


async def stored_between(
    nc: Client,
    stream: str,
    subject: str,
    after_seq: int,
    before_seq: int | None = None,
    *,
    batch: int = BATCH,
    timeout: float = 2.0,
) -> list[Stored]:
    """``stream``'s messages on ``subject`` (wildcards allowed) with after_seq < seq < before_seq, in order.

    One round trip per ``batch`` messages. Raises ``nats.errors.TimeoutError`` when the server
    does not answer within ``timeout`` and ``DirectGetError`` when it refuses.
    """
    found: list[Stored] = []
    start = after_seq + 1
    while before_seq is None or start < before_seq:
        got, more = await _one_batch(nc, stream, subject, start, batch, timeout)
        for item in got:
            if before_seq is not None and item.seq >= before_seq:
                return found
            found.append(item)
        if not more or not got:
            return found
        start = got[-1].seq + 1
    return found


async def _one_batch(
    nc: Client, stream: str, subject: str, start: int, batch: int, timeout: float
) -> tuple[list[Stored], bool]:
    """Up to ``batch`` messages from ``start``, and whether more are stored after them."""
    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox, max_msgs=batch + 1)
    request = json.dumps({"seq": start, "next_by_subj": subject, "batch": batch}).encode()
    got: list[Stored] = []
    try:
        await nc.publish(f"$JS.API.DIRECT.GET.{stream}", request, reply=inbox)
        while True:
            msg = await sub.next_msg(timeout=timeout)
            headers = msg.headers or {}
            status = headers.get("Status")
            if status == END_OF_BATCH:
                return got, headers.get("Nats-Num-Pending", "0") not in ("", "0")
            if status == NOT_FOUND:
                return got, False
            if status is not None:
                raise DirectGetError(f"direct get on {stream} answered status {status}")
            got.append(Stored(int(headers["Nats-Sequence"]), headers.get("Nats-Subject", ""), msg.data))
    finally:
        with contextlib.suppress(nats.errors.Error):
            await sub.unsubscribe()
