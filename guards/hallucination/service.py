"""The hallucination guard's logic, independent of the bus: reply events in, flags out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from guards.hallucination.flags import flag_for
from guards.hallucination.tracker import Reply, ReplyTracker
from guards.replicas import Ownership, partition
from guards.sentences import Sentence
from guards.tenancy import TenantRules
from guards.verdict import GuardMethod
from shared.aio import stop_tasks
from shared.events import (
    Event,
    MessageCancelled,
    MessageCompleted,
    MessageCreated,
    MessageDelta,
    MessageFlagged,
    Source,
)

log = logging.getLogger(__name__)

Publish = Callable[[MessageFlagged], Awaitable[object]]


@dataclass(frozen=True)
class _Job:
    tenant_id: str
    conversation_id: str
    message_id: str
    sentence: Sentence
    sources: list[Source]
    context: str
    question: str = ""


class HallucinationGuard:
    """Checks each sentence of each owned reply once it is complete, one worker per reply.

    Per-reply workers keep a reply's flags in sentence order, while a slow method (the LLM
    judge) on one reply never holds up the deltas of another.

    Every replica follows the text of every reply (it receives every delta anyway) but checks
    only the sentences of conversations whose partition it owns. When it gains partitions
    (another replica died or left) it checks the sentences those replies completed so far:
    the flags the old owner already published carry the same ids, so JetStream drops them.
    """

    def __init__(
        self,
        method: GuardMethod,
        rules: TenantRules,
        publish: Publish,
        ownership: Ownership | None = None,
        idle_timeout_s: float = 600.0,
    ) -> None:
        self.method = method
        self.rules = rules
        self.publish = publish
        self.ownership = ownership or Ownership()
        self.tracker = ReplyTracker(idle_timeout_s)
        self.idle_timeout_s = idle_timeout_s
        self._queues: dict[str, asyncio.Queue[_Job | None]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False

    def handle(self, event: Event) -> None:
        """Feed one reply event (created, delta, completed, cancelled); anything else is ignored."""
        t, c = event.tenant_id, event.conversation_id
        if isinstance(event, MessageCreated):
            if event.role != "assistant" or not event.generated:
                return  # agents (and the business's own messages) say what they mean: nothing to ground
            self._enqueue(*self.tracker.created(t, c, event.message_id, event.sources, event.question))
        elif isinstance(event, MessageDelta):
            # Deltas of a reply whose MessageCreated we missed are tracked too: the completion
            # carries the sources and lets us check them then.
            self._enqueue(*self.tracker.delta(t, c, event.message_id, event.offset, event.text))
        elif isinstance(event, MessageCompleted):
            if event.role != "assistant" or not event.generated:
                self.tracker.cancelled(event.message_id)
            else:
                reply, ready = self.tracker.completed(t, c, event.message_id, event.text, event.sources)
                self._enqueue(reply, ready)
            self._close(event.message_id)
        elif isinstance(event, MessageCancelled):
            self.tracker.cancelled(event.message_id)
            self._close(event.message_id)

    def gained(self, partitions: set[int]) -> None:
        """Partitions just taken over: check what their replies in flight have said so far."""
        for reply in self.tracker.in_flight():
            if reply.sources is not None and partition(reply.conversation_id, self.ownership.partitions) in partitions:
                self._enqueue(reply, list(reply.ready))

    def _enqueue(self, reply: Reply, sentences: list[Sentence]) -> None:
        if not sentences or not self.ownership.owns(reply.conversation_id):
            return
        queue = self._queue(reply.message_id)
        for sentence in sentences:
            job = _Job(
                reply.tenant_id,
                reply.conversation_id,
                reply.message_id,
                sentence,
                reply.sources or [],
                reply.buffer.text[: sentence.end],
                reply.question,
            )
            self._pending += 1
            self._idle.clear()
            queue.put_nowait(job)

    def _queue(self, message_id: str) -> asyncio.Queue[_Job | None]:
        queue = self._queues.get(message_id)
        if queue is None:
            queue = self._queues[message_id] = asyncio.Queue()
            task = asyncio.create_task(self._work(message_id, queue), name=f"guard-{message_id}")
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)
        return queue

    def _close(self, message_id: str) -> None:
        queue = self._queues.pop(message_id, None)
        if queue is not None:
            queue.put_nowait(None)

    async def _work(self, message_id: str, queue: asyncio.Queue[_Job | None]) -> None:
        # Checked every round: a cancellation swallowed somewhere below (client libraries do)
        # must not keep a worker alive after aclose().
        while not self._closing:
            try:
                # asyncio.timeout rather than wait_for: on 3.11, cancelling a task inside
                # wait_for(queue.get()) can hang (the inner get task is never cancelled).
                async with asyncio.timeout(self.idle_timeout_s):
                    job = await queue.get()
            except TimeoutError:
                if self._queues.get(message_id) is queue:
                    del self._queues[message_id]
                return
            if job is None:
                return
            try:
                await self._check(job)
            except Exception:
                log.exception("checking a sentence of reply %s failed", message_id)
            finally:
                self._pending -= 1
                if self._pending == 0:
                    self._idle.set()

    async def _check(self, job: _Job) -> None:
        policy = self.rules.guard(job.tenant_id)
        known = self.rules.known_names(job.tenant_id)
        verdict = await self.method.check(job.sentence.text, job.sources, job.context, known, question=job.question)
        flag = flag_for(job.tenant_id, job.conversation_id, job.message_id, job.sentence, verdict, policy)
        if flag is not None:
            await self.publish(flag)

    async def idle(self) -> None:
        """Return once every queued sentence has been checked."""
        await self._idle.wait()

    async def aclose(self, timeout: float = 5.0) -> None:
        """Stop every worker: wake it, cancel it, and wait at most ``timeout`` for all of them."""
        self._closing = True
        workers = list(self._workers)
        for queue in self._queues.values():
            queue.put_nowait(None)
        await stop_tasks(*workers, timeout=timeout)
        self._queues.clear()
