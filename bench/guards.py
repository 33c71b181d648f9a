"""Guards: how soon a flag follows an ungrounded sentence, and what the guard costs the token rate.

A real nats-server (EmbeddedNats) and the hallucination guard, as its own process
(`python -m guards.hallucination`, the default) or in this process (`--in-process`).

- Flag latency: each reply streams a grounded sentence, then an ungrounded one, word by
  word; the clock starts when the delta carrying the ungrounded sentence's last character
  is published and stops when its message.flagged arrives on sb.push (what a gateway
  receives). Baseline in the same run: a durable event published with shared.bus.emit to
  sb.conv and received on sb.push, i.e. the bus round trip any flag must make.
- Token rate: many replies' deltas published as fast as possible and counted by an sb.push
  subscriber, without and then with the guard running; ratio = with / without.

The sentiment monitor is not on the token path (it reads visitor messages only).

Run alone: `python -m bench.guards [--quick] [--in-process]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nats
from faststream.nats import NatsBroker

from bench.stats import summary_ms, table
from services.nats_embedded import EmbeddedNats
from shared.bus import emit, ensure_streams, make_broker
from shared.events import MessageCompleted, MessageCreated, MessageDelta, Notice, Source
from shared.settings import REPO_ROOT, Settings
from shared.subjects import Channel, kind_pattern, subject

TENANT = "acme"  # demo tenant: guard action "flag"
SOURCES = [
    Source(id="returns", title="Returns", snippet="Unused items can be returned within 30 days of delivery for a "
           "full refund. Sale items cannot be returned. Refunds reach the original payment method within 5 "
           "business days."),
    Source(id="shipping", title="Shipping", snippet="Standard shipping is free on orders over $50 and takes 3-5 "
           "business days. Express shipping costs $15."),
]  # fmt: skip
GROUNDED = "You can return unused items within 30 days of delivery for a full refund. "
UNGROUNDED = "Sale items can be returned within 90 days as well."
TAIL = " Express shipping costs $15. Anything else I can help with?"
REPLY = GROUNDED + UNGROUNDED + TAIL
UNGROUNDED_END = len(GROUNDED) + len(UNGROUNDED)


def words(text: str) -> list[tuple[int, str]]:
    """(offset, token) pieces the way a model streams them: a word with its leading space."""
    pieces, start = [], 0
    for i in range(1, len(text) + 1):
        if i == len(text) or (text[i] == " " and text[i - 1] != " "):
            pieces.append((start, text[start:i]))
            start = i
    return pieces


def _settings(url: str) -> Settings:
    return Settings(environment="test", secret_key="bench-secret-key-0123456789", nats_url=url)


@contextlib.asynccontextmanager
async def guard_running(url: str, in_process: bool, log: Path) -> AsyncIterator[None]:
    if in_process:
        from guards.hallucination import running

        async with running(_settings(url)):
            yield
        return
    env = {**os.environ, "NATS_URL": url, "ENVIRONMENT": "development", "LOG_LEVEL": "WARNING"}
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "guards.hallucination"], env=env, cwd=REPO_ROOT,
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Push:
    """An sb.push subscriber like a gateway's: resolves futures when awaited events arrive."""

    def __init__(self, nc: nats.NATS) -> None:
        self.nc = nc
        self.flags: dict[str, asyncio.Future[float]] = {}
        self.notices: dict[str, asyncio.Future[float]] = {}
        self.deltas = 0
        self.deltas_wanted = 0
        self.deltas_done: asyncio.Future[float] | None = None

    async def start(self) -> None:
        await self.nc.subscribe(kind_pattern(Channel.PUSH, "message.flagged"), cb=self._on_flag)
        await self.nc.subscribe(kind_pattern(Channel.PUSH, "notice"), cb=self._on_notice)
        await self.nc.subscribe(kind_pattern(Channel.PUSH, "message.delta"), cb=self._on_delta)
        await self.nc.flush()

    async def _on_flag(self, msg: Any) -> None:
        _resolve(self.flags.get(msg.subject.split(".")[3]))

    async def _on_notice(self, msg: Any) -> None:
        _resolve(self.notices.get(msg.subject.split(".")[3]))

    async def _on_delta(self, msg: Any) -> None:
        self.deltas += 1
        if self.deltas_done is not None and self.deltas >= self.deltas_wanted:
            _resolve(self.deltas_done)


def _resolve(fut: asyncio.Future[float] | None) -> None:
    if fut is not None and not fut.done():
        fut.set_result(time.perf_counter())


async def bus_baseline(producer: NatsBroker, push: Push, n: int, warmup: int = 5) -> list[float]:
    """Durable event -> JetStream -> republished to sb.push: the floor under any flag's latency."""
    out = []
    for _ in range(n + warmup):
        conversation = uuid.uuid4().hex
        fut = push.notices[conversation] = asyncio.get_running_loop().create_future()
        sent = time.perf_counter()
        await emit(producer, Notice(tenant_id=TENANT, conversation_id=conversation, code="bench", text="x"))
        try:
            out.append(await asyncio.wait_for(fut, 2) - sent)
        except TimeoutError:
            if len(out) >= n:
                raise
            continue  # a fresh server may drop the very first republish; not what we measure
    return out[-n:]


async def flag_latency(producer: NatsBroker, push: Push, n: int, token_interval: float) -> list[float]:
    out = []
    for _ in range(n):
        conversation, message_id = uuid.uuid4().hex, uuid.uuid4().hex
        fut = push.flags[conversation] = asyncio.get_running_loop().create_future()
        await emit(producer, MessageCreated(tenant_id=TENANT, conversation_id=conversation, message_id=message_id,
                                            role="assistant", sources=SOURCES))  # fmt: skip
        sentence_done = None
        for offset, token in words(REPLY):
            await emit(producer, MessageDelta(tenant_id=TENANT, conversation_id=conversation,
                                              message_id=message_id, offset=offset, text=token))  # fmt: skip
            if sentence_done is None and offset + len(token) >= UNGROUNDED_END:
                sentence_done = time.perf_counter()
            await asyncio.sleep(token_interval)
        flagged = await asyncio.wait_for(fut, 10)
        await emit(producer, MessageCompleted(tenant_id=TENANT, conversation_id=conversation, message_id=message_id,
                                              role="assistant", text=REPLY, sources=SOURCES))  # fmt: skip
        assert sentence_done is not None
        out.append(flagged - sentence_done)
    return out


async def token_rate(producer: NatsBroker, push: Push, replies: int, repeat: int) -> float:
    """Tokens per second from the first delta published to the last one received on sb.push."""
    text = " ".join([REPLY] * repeat)
    pieces = words(text)
    ids = [(uuid.uuid4().hex, uuid.uuid4().hex) for _ in range(replies)]
    for conversation, message_id in ids:
        await emit(producer, MessageCreated(tenant_id=TENANT, conversation_id=conversation, message_id=message_id,
                                            role="assistant", sources=SOURCES))  # fmt: skip
    push.deltas, push.deltas_wanted = 0, replies * len(pieces)
    push.deltas_done = asyncio.get_running_loop().create_future()
    started = time.perf_counter()
    # Interleave the replies token by token, as concurrent conversations stream.
    for offset, token in pieces:
        for conversation, message_id in ids:
            await producer.publish(
                MessageDelta(tenant_id=TENANT, conversation_id=conversation, message_id=message_id,
                             offset=offset, text=token),
                subject(Channel.PUSH, TENANT, conversation, "message.delta"),
            )  # fmt: skip
    finished = await asyncio.wait_for(push.deltas_done, 120)
    for conversation, message_id in ids:
        await emit(producer, MessageCompleted(tenant_id=TENANT, conversation_id=conversation, message_id=message_id,
                                              role="assistant", text=text, sources=SOURCES))  # fmt: skip
    return push.deltas_wanted / (finished - started)


async def wait_until_guarding(producer: NatsBroker, push: Push) -> None:
    """The guard is up once a probe reply gets flagged (its process needs a moment to start)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            await flag_latency(producer, push, 1, 0.0)
            return
        except TimeoutError:
            continue
    raise TimeoutError("the hallucination guard did not flag a probe reply within 30s")


async def main(args: argparse.Namespace | None = None) -> dict[str, Any]:
    quick = bool(getattr(args, "quick", False))
    in_process = bool(getattr(args, "in_process", False))
    n = 10 if quick else 50
    replies, repeat = (10, 4) if quick else (40, 10)
    token_interval = 0.005
    with tempfile.TemporaryDirectory() as tmp, EmbeddedNats(Path(tmp) / "js", log_file=Path(tmp) / "nats.log") as srv:
        nc = await nats.connect(srv.url)
        await ensure_streams(nc.jetstream())
        producer = make_broker(_settings(srv.url))
        await producer.connect()
        push = Push(nc)
        await push.start()
        try:
            baseline = await bus_baseline(producer, push, n)
            rate_without = await token_rate(producer, push, replies, repeat)
            async with guard_running(srv.url, in_process, Path(tmp) / "guard.log"):
                await wait_until_guarding(producer, push)
                flags = await flag_latency(producer, push, n, token_interval)
                rate_with = await token_rate(producer, push, replies, repeat)
        finally:
            await producer.stop()
            await nc.drain()
    result = {
        "guard": "in-process" if in_process else "process",
        "flag_latency": summary_ms(flags),
        "bus_baseline": summary_ms(baseline),
        "flag_latency_ratio_p50": round(summary_ms(flags)["p50_ms"] / summary_ms(baseline)["p50_ms"], 2),
        "tokens_per_s_without_guard": round(rate_without),
        "tokens_per_s_with_guard": round(rate_with),
        "token_rate_ratio": round(rate_with / rate_without, 3),
        "replies_for_rate": replies,
        "tokens_per_reply": len(words(" ".join([REPLY] * repeat))),
    }
    print(table([
        ("measure", "p50 ms", "p99 ms", "vs baseline"),
        ("flag after ungrounded sentence", str(result["flag_latency"]["p50_ms"]), str(result["flag_latency"]["p99_ms"]),
         f"x{result['flag_latency_ratio_p50']}"),
        ("baseline: durable event to sb.push", str(result["bus_baseline"]["p50_ms"]),
         str(result["bus_baseline"]["p99_ms"]), "x1"),
    ]))  # fmt: skip
    print(table([
        ("token rate", "tokens/s", "ratio"),
        ("without guard", str(result["tokens_per_s_without_guard"]), "1"),
        (f"with guard ({result['guard']})", str(result["tokens_per_s_with_guard"]), str(result["token_rate_ratio"])),
    ]))  # fmt: skip
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.guards", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--in-process", action="store_true", help="run the guard in this process")
    asyncio.run(main(parser.parse_args()))
