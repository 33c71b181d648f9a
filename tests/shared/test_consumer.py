"""shared.consumer on a real nats-server: batches, a poison message isolated and dead-lettered, outages waited out."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator

import nats
import pytest
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from shared import dlq
from shared.consumer import BatchConsumer, ConsumerPolicy, Poison
from shared.subjects import dlq_pattern
from tests.services.recorder.jetstream import wait_consumed

pytestmark = pytest.mark.connected


@pytest.fixture
def js(nats_client: nats.NATS) -> JetStreamContext:
    return nats_client.jetstream()


@pytest.fixture
async def stream(js: JetStreamContext) -> AsyncIterator[str]:
    name = f"T{uuid.uuid4().hex[:10]}"
    await js.add_stream(name=name, subjects=[f"{name}.>"])
    yield name
    await js.delete_stream(name)


class Seen:
    """What the handlers saw, in order, with dead letters interleaved as they arrive."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.tries: dict[str, int] = {}
        self.batches: list[int] = []
        self.done = asyncio.Event()


def consumer(js: JetStreamContext, stream: str, seen: Seen, policy: ConsumerPolicy, fail: object) -> BatchConsumer:
    async def one(msg: Msg) -> None:
        body = msg.data.decode()
        seen.tries[body] = seen.tries.get(body, 0) + 1
        if body.startswith(("bad", "junk")):
            raise (Poison("not an event") if body.startswith("junk") else fail)  # type: ignore[misc]
        seen.order.append(body)

    async def batch(msgs: list[Msg]) -> None:
        bodies = [m.data.decode() for m in msgs]
        if any(b.startswith(("bad", "junk")) for b in bodies):
            raise ValueError("a bad one in the batch")
        seen.batches.append(len(msgs))
        seen.order.extend(bodies)

    return BatchConsumer(
        js=js, stream=stream, durable=f"d{uuid.uuid4().hex[:8]}", filter_subject=f"{stream}.>",
        handle_one=one, handle_batch=batch, policy=policy,
        transient=lambda exc: isinstance(exc, ConnectionRefusedError),
    )  # fmt: skip


async def watch_dead_letters(nc: nats.NATS, seen: Seen, durable: str) -> list[Msg]:
    letters: list[Msg] = []

    async def on_letter(msg: Msg) -> None:
        letters.append(msg)
        seen.order.append(f"dlq:{msg.data.decode()}")
        seen.done.set()

    await nc.subscribe(dlq_pattern(durable), cb=on_letter)
    return letters


async def test_a_poison_message_is_dead_lettered_after_its_tries_without_holding_up_the_others(
    nats_client: nats.NATS, js: JetStreamContext, stream: str, caplog: pytest.LogCaptureFixture
) -> None:
    seen = Seen()
    policy = ConsumerPolicy(batch_size=20, fetch_timeout_s=1.0, max_tries=3, retry_delay_s=0.3)
    worker = consumer(js, stream, seen, policy, ValueError("cannot store this"))
    letters = await watch_dead_letters(nats_client, seen, worker.durable)
    await js.publish(f"{stream}.conv-a", b"bad-1", headers={"Nats-Msg-Id": "m-bad", "X-Trace": "t1"})
    for i in range(5):
        await js.publish(f"{stream}.conv-b", f"good-{i}".encode())
    caplog.set_level(logging.INFO)
    await worker.start()
    try:
        await asyncio.wait_for(seen.done.wait(), 15)
        await wait_consumed(js, stream, worker.durable)  # acked where it came from: nothing left for the durable
    finally:
        await worker.stop()

    # The other conversation's messages went through before the poison one gave up its tries.
    assert seen.order == [*(f"good-{i}" for i in range(5)), "dlq:bad-1"]
    assert seen.tries["bad-1"] == 3
    [letter] = letters
    assert letter.data == b"bad-1"
    assert letter.subject == f"sb.dlq.{worker.durable}.{stream}.conv-a"
    headers = letter.headers or {}
    assert (headers[dlq.SUBJECT], headers[dlq.CONSUMER], headers[dlq.DELIVERIES]) == (
        f"{stream}.conv-a", worker.durable, "3",
    )  # fmt: skip
    assert (headers[dlq.STREAM], headers[dlq.SEQ]) == (stream, "1")
    assert headers[dlq.ERROR] == "ValueError: cannot store this"
    assert (headers["X-Trace"], headers[dlq.ORIGINAL_PREFIX + "Nats-Msg-Id"]) == ("t1", "m-bad")
    # One log line for it, at the end, without a traceback.
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(loud) == 1
    assert f"{stream}.conv-a" in loud[0].getMessage()
    assert loud[0].exc_info is None
    assert (worker.stats.dead_lettered, dlq.DEAD_LETTERED[worker.durable]) == (1, 1)


async def test_a_message_that_is_no_event_is_dead_lettered_at_once(
    nats_client: nats.NATS, js: JetStreamContext, stream: str
) -> None:
    seen = Seen()
    worker = consumer(js, stream, seen, ConsumerPolicy(fetch_timeout_s=1.0, max_tries=5), ValueError("x"))
    letters = await watch_dead_letters(nats_client, seen, worker.durable)
    await js.publish(f"{stream}.c", b"junk")
    await worker.start()
    try:
        await asyncio.wait_for(seen.done.wait(), 15)
    finally:
        await worker.stop()
    assert seen.tries["junk"] == 1
    assert (letters[0].headers or {})[dlq.DELIVERIES] == "1"


async def test_a_backlog_is_handled_in_batches_each_message_once(js: JetStreamContext, stream: str) -> None:
    seen = Seen()
    worker = consumer(js, stream, seen, ConsumerPolicy(batch_size=50, fetch_timeout_s=1.0), ValueError("x"))
    sent = [f"m-{i}" for i in range(120)]
    await asyncio.gather(*(js.publish(f"{stream}.c{i % 7}", body.encode()) for i, body in enumerate(sent)))
    await worker.start()
    try:
        await wait_consumed(js, stream, worker.durable)
    finally:
        await worker.stop()
    assert sorted(seen.order) == sorted(sent)
    assert sum(seen.batches) == len(sent)
    assert max(seen.batches) > 1
    assert len(seen.batches) <= len(sent) // 2
    assert worker.stats.processed == len(sent)


async def test_an_unavailable_dependency_is_waited_for_never_dead_lettered(
    nats_client: nats.NATS, js: JetStreamContext, stream: str, caplog: pytest.LogCaptureFixture
) -> None:
    seen = Seen()
    down = {"left": 6}

    async def fails_at_first(msg: Msg) -> None:
        if down["left"] > 0:
            down["left"] -= 1
            raise ConnectionRefusedError("database down")
        seen.order.append(msg.data.decode())
        seen.done.set()

    policy = ConsumerPolicy(fetch_timeout_s=1.0, max_tries=2, transient_delay_s=0.05)
    worker = consumer(js, stream, seen, policy, ValueError("x"))
    worker.handle_one, worker.handle_batch = fails_at_first, None
    caplog.set_level(logging.INFO)
    letters = await watch_dead_letters(nats_client, seen, worker.durable)
    await js.publish(f"{stream}.c", b"event-1")
    await worker.start()
    try:
        await asyncio.wait_for(seen.done.wait(), 15)
    finally:
        await worker.stop()
    assert seen.order == ["event-1"]
    assert letters == []
    assert (worker.stats.transient, worker.stats.dead_lettered) == (6, 0)
    # Said once when it went away and once when it came back, not once per try.
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "shared.consumer"]
    assert [level for level, text in said if "waits" in text or "goes on" in text] == ["WARNING", "INFO"]
    assert [level for level, _ in said].count("WARNING") == 1
    assert "ConnectionRefusedError: database down" in said[0][1]


async def test_a_message_that_failed_alone_comes_back_beside_the_batch_not_in_it(
    js: JetStreamContext, stream: str
) -> None:
    seen = Seen()
    policy = ConsumerPolicy(batch_size=20, max_tries=5, retry_delay_s=0.2)
    worker = consumer(js, stream, seen, policy, ValueError("cannot store this"))
    await worker.ensure()  # driven fetch by fetch here, not by its loop
    sub = await js.pull_subscribe_bind(durable=worker.durable, stream=stream)
    await js.publish(f"{stream}.a", b"bad-1")
    await js.publish(f"{stream}.b", b"good-1")
    await worker.process(await sub.fetch(20, timeout=5))
    assert (worker.stats.fallbacks, seen.order) == (1, ["good-1"])
    for i in (2, 3):
        await js.publish(f"{stream}.b", f"good-{i}".encode())
    await asyncio.sleep(policy.retry_delay_s * 2)  # the failed one's redelivery is due: it comes in the next fetch
    batch = await sub.fetch(20, timeout=5)
    assert sorted(m.data for m in batch) == [b"bad-1", b"good-2", b"good-3"]
    await worker.process(batch)
    # The fresh ones went through as a batch; the suspect was tried on its own, not in it.
    assert (worker.stats.fallbacks, seen.batches, seen.tries["bad-1"]) == (1, [2], 2)
    assert seen.order == ["good-1", "good-2", "good-3"]
    await sub.unsubscribe()


async def test_stopping_finishes_the_batch_in_hand(js: JetStreamContext, stream: str) -> None:
    started, release, done = asyncio.Event(), asyncio.Event(), []

    async def slow(msg: Msg) -> None:
        started.set()
        await release.wait()
        done.append(msg.data)

    worker = BatchConsumer(
        js=js, stream=stream, durable=f"d{uuid.uuid4().hex[:8]}", filter_subject=f"{stream}.>", handle_one=slow,
        policy=ConsumerPolicy(fetch_timeout_s=1.0),
    )  # fmt: skip
    await js.publish(f"{stream}.c", b"in hand")
    await worker.start()
    await asyncio.wait_for(started.wait(), 15)
    stopping = asyncio.create_task(worker.stop())
    await asyncio.sleep(0)  # stop() has begun: the batch in hand must still be finished
    release.set()
    await asyncio.wait_for(stopping, 15)
    assert done == [b"in hand"]
    await wait_consumed(js, stream, worker.durable)  # and acked, not left to the ack wait (30 s)


async def test_an_empty_fetch_is_nothing_to_settle(js: JetStreamContext, stream: str) -> None:
    worker = consumer(js, stream, Seen(), ConsumerPolicy(), ValueError("unused"))
    await worker.process([])  # what a fetch that timed out empty hands over
    assert worker.stats.processed == 0
