"""A durable JetStream pull consumer that fetches in batches and isolates a poison message.

Each fetch hands the whole batch to ``handle_batch`` (one transaction, say). If that raises,
the batch falls back to ``handle_one`` per message, so one bad message does not fail the
others. A message that keeps failing is retried ``max_tries`` times (nak with a delay, so
the messages behind it keep flowing), then dead-lettered to SB_DLQ (shared.dlq) with one log
line. A failure that is not the message's fault (``transient``: the database is down) never
counts towards dead-lettering: the batch is left for a redelivery after a pause.

Why our own loop rather than FastStream's pull subscriber: its batch mode waits for a full
batch or the fetch timeout before handing anything over (latency on a quiet system), and
nats-py's multi-message fetch can raise a bare asyncio.TimeoutError that FastStream 0.7.8
does not catch, which kills its fetch loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import BadRequestError

from shared import metrics
from shared.aio import stop_tasks
from shared.dlq import dead_letter, describe

log = logging.getLogger(__name__)

BatchHandler = Callable[[list[Msg]], Awaitable[None]]
# None: done (ack); a number: come back after that many seconds (not a failure, e.g. "wait for the recorder").
OneHandler = Callable[[Msg], Awaitable[float | None]]
Transient = Callable[[BaseException], bool]
Result = Literal["done", "later", "failed", "transient"]
MAX_SUSPECTS = 10_000
# How long stopping waits for the batch in hand to be written and acked.
STOP_GRACE_S = 10.0


class Poison(Exception):
    """A message that can never be processed (not JSON, no ids): dead-lettered at once, without retries."""


@dataclass(frozen=True)
class ConsumerPolicy:
    batch_size: int = 100
    fetch_timeout_s: float = 5.0
    ack_wait_s: float = 30.0
    max_tries: int = 4
    retry_delay_s: float = 1.0
    # The failure is the infrastructure's (database unreachable): wait this long before trying again.
    transient_delay_s: float = 2.0
    # Per-message handlers of one batch run concurrently (independent messages, e.g. other conversations).
    concurrent: bool = False


@dataclass
class ConsumerStats:
    processed: int = 0
    batches: int = 0
    retried: int = 0
    dead_lettered: int = 0
    transient: int = 0
    fallbacks: int = 0


def never_transient(_: BaseException) -> bool:
    return False


def bus_unavailable(exc: BaseException) -> bool:
    """NATS not answering (a timeout, a lost connection, no JetStream): not the message's fault."""
    return isinstance(exc, (TimeoutError, OSError, nats.errors.Error))


def stream_seq(msg: Msg) -> int:
    return int(msg.metadata.sequence.stream)


@dataclass
class BatchConsumer:
    js: JetStreamContext
    stream: str
    durable: str
    filter_subject: str
    handle_one: OneHandler
    handle_batch: BatchHandler | None = None
    policy: ConsumerPolicy = field(default_factory=ConsumerPolicy)
    transient: Transient = never_transient
    deliver_policy: DeliverPolicy = DeliverPolicy.ALL
    description: str | None = None
    stats: ConsumerStats = field(default_factory=ConsumerStats)

    def __post_init__(self) -> None:
        self._running = False
        self._task: asyncio.Task[None] | None = None
        self._sub: JetStreamContext.PullSubscription | None = None
        # Stream sequences of messages that failed on their own and are waiting for their next try.
        self._suspects: OrderedDict[int, None] = OrderedDict()
        self._busy = asyncio.Event()  # set while a fetched batch is being handled
        self._down = False  # the dependency is unavailable (said once in the log)
        self._pending = metrics.PENDING_FAMILY.labels(self.durable)
        self._lag = metrics.CONSUME_LAG_FAMILY.labels(self.durable)

    def consumer_config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.durable,
            description=self.description,
            filter_subject=self.filter_subject,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.policy.ack_wait_s,
            # Unlimited: giving up is ours to decide (dead letter), never the server's silent drop.
            max_deliver=-1,
            deliver_policy=self.deliver_policy,
            max_ack_pending=max(1000, 4 * self.policy.batch_size),
        )

    async def ensure(self) -> None:
        """Create the durable, or update the settings that may change (ack wait, max deliver) on an existing one."""
        config = self.consumer_config()
        try:
            await self.js.add_consumer(self.stream, config=config)
        except BadRequestError as exc:
            # An older durable whose fixed settings differ (e.g. its deliver policy): keep it as it is.
            log.warning("consumer %s on %s kept as it is: %s", self.durable, self.stream, exc.description)

    async def start(self) -> None:
        await self.ensure()
        self._sub = await self.js.pull_subscribe_bind(durable=self.durable, stream=self.stream)
        self._running = True
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.durable}")

    async def stop(self) -> None:
        """Finish the batch in hand (bounded), then stop fetching: a restart does not leave it to ack_wait."""
        self._running = False
        if self._task is not None and self._busy.is_set():
            await asyncio.wait([self._task], timeout=STOP_GRACE_S)
        await stop_tasks(self._task)
        if self._sub is not None:
            try:
                await self._sub.unsubscribe()
            except Exception as exc:  # the connection may be closing already
                log.debug("unsubscribe of %s: %s", self.durable, exc)
        log.info("consumer %s stopped: %s", self.durable, self.stats)

    async def _run(self) -> None:
        assert self._sub is not None
        while self._running:
            try:
                msgs = await self._sub.fetch(self.policy.batch_size, timeout=self.policy.fetch_timeout_s)
            except TimeoutError:  # nats.errors.TimeoutError and the bare asyncio one alike
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not self._running:
                    return
                log.warning("consumer %s could not fetch (%s); retrying", self.durable, exc or type(exc).__name__)
                await asyncio.sleep(1.0)
                continue
            self._busy.set()
            try:
                await self.process(msgs)
            except asyncio.CancelledError:
                raise
            except Exception:  # a NATS failure while settling: the unacked messages come back after ack_wait
                log.exception("consumer %s could not settle a batch of %s", self.durable, len(msgs))
            finally:
                self._busy.clear()

    async def process(self, msgs: list[Msg]) -> None:
        """Handle one fetched batch: whole if possible, else message by message.

        Messages that already failed here on their own come back one by one, beside the
        batch, so a poison message does not fail a fresh batch on each of its tries.
        """
        self.stats.batches += 1
        self._observe(msgs)
        suspects = [m for m in msgs if stream_seq(m) in self._suspects]
        if suspects:
            fresh = [m for m in msgs if stream_seq(m) not in self._suspects]
            if not await self._batch_or_each(fresh):
                await self._pause(suspects, None)
                return
            await self._each(suspects)
            return
        await self._batch_or_each(msgs)

    def _observe(self, msgs: list[Msg]) -> None:
        """Consumer lag: what JetStream still holds for us, and the age of the batch's newest message."""
        if not msgs:  # a fetch that timed out empty
            return
        if (pending := metrics.pending_of(msgs[-1])) is not None:
            self._pending.set(pending)
        with contextlib.suppress(Exception):  # a message without JetStream metadata
            self._lag.observe(max(0.0, time.time() - msgs[-1].metadata.timestamp.timestamp()))

    async def _batch_or_each(self, msgs: list[Msg]) -> bool:
        """False when a failure said the dependency is down (the rest were left for later)."""
        if self.handle_batch is None or len(msgs) < 2:
            return await self._each(msgs)
        try:
            await self.handle_batch(msgs)
        except Exception as exc:
            if self.transient(exc):
                await self._pause(msgs, exc)
                return False
            self.stats.fallbacks += 1
            log.debug("batch of %s on %s failed (%s); one by one", len(msgs), self.durable, exc)
            return await self._each(msgs)
        self._available()
        for msg in msgs:
            await msg.ack()
        self.stats.processed += len(msgs)
        return True

    async def _each(self, msgs: list[Msg]) -> bool:
        if self.policy.concurrent:
            results = await asyncio.gather(*(self._one(msg) for msg in msgs))
            return "transient" not in results
        for i, msg in enumerate(msgs):
            if await self._one(msg) == "transient":
                await self._pause(msgs[i + 1 :], None)
                return False
        return True

    async def _pause(self, msgs: list[Msg], exc: BaseException | None) -> None:
        if exc is not None:
            self._unavailable(exc)
        self.stats.transient += len(msgs)
        for msg in msgs:
            await msg.nak(delay=self.policy.transient_delay_s)

    def _unavailable(self, exc: BaseException) -> None:
        """One WARNING when the dependency goes away (not one per message and try), one INFO when it is back."""
        if not self._down:
            self._down = True
            log.warning("consumer %s waits: %s; trying again every %.1fs", self.durable, describe(exc),
                        self.policy.transient_delay_s)  # fmt: skip

    def _available(self) -> None:
        if self._down:
            self._down = False
            log.info("consumer %s goes on", self.durable)

    async def _one(self, msg: Msg) -> Result:
        try:
            delay = await self.handle_one(msg)
        except Exception as exc:
            return await self._failed(msg, exc)
        self._suspects.pop(stream_seq(msg), None)
        self._available()
        if delay is None:
            await msg.ack()
            self.stats.processed += 1
            return "done"
        await msg.nak(delay=delay)
        return "later"

    async def _failed(self, msg: Msg, exc: Exception) -> Result:
        if self.transient(exc) and not isinstance(exc, Poison):
            self._unavailable(exc)
            self.stats.transient += 1
            await msg.nak(delay=self.policy.transient_delay_s)
            return "transient"
        tries = int(msg.metadata.num_delivered)
        if isinstance(exc, Poison) or tries >= self.policy.max_tries:
            try:
                await dead_letter(self.js, msg, self.durable, exc, tries)
            except Exception as dlq_exc:  # NATS is failing too: keep the message, try again later
                log.warning("consumer %s could not dead-letter %s: %s", self.durable, msg.subject, dlq_exc)
                await msg.nak(delay=self.policy.transient_delay_s)
                return "failed"
            self._suspects.pop(stream_seq(msg), None)
            self.stats.dead_lettered += 1
            return "failed"
        # Quiet until it is dead-lettered (one ERROR line then); the first traceback is there in DEBUG.
        log.debug("consumer %s: try %s of %s on %s failed", self.durable, tries, msg.subject, exc_info=tries == 1)
        self.stats.retried += 1
        self._suspects[stream_seq(msg)] = None
        while len(self._suspects) > MAX_SUSPECTS:
            self._suspects.popitem(last=False)
        await msg.nak(delay=self.policy.retry_delay_s)
        return "failed"
