"""What happens to a visitor message: take the conversation's lock, answer everything not yet
answered in order, stream each reply as events, remember how far the conversation is answered.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

import httpx

from orchestrator.actions import act
from orchestrator.citations import cited
from orchestrator.gate import Gate, Lock, Resume, Turn
from orchestrator.graph import TurnGraph, TurnInput, sources_then_chunks
from orchestrator.ids import reply_ids
from orchestrator.modes import agent_has_it as human_has_it
from orchestrator.modes import handoff_state, not_ours
from orchestrator.prefetch import AnsweredHints, Prefetched, assistant_typing, nothing, read_window
from orchestrator.providers import Provider
from orchestrator.providers.base import Citations, Components
from orchestrator.streams import StreamRegistry
from shared.aio import stop_tasks
from shared.events import (
    Author,
    Component,
    Event,
    MessageCancelled,
    MessageCompleted,
    MessageCreated,
    MessageDelta,
    Notice,
    Source,
    UserMessage,
    WidgetAction,
)
from shared.knowledge.uploads import KnowledgeSync
from shared.metrics import TurnClock
from shared.tenants import Tenant, TenantDirectory

log = logging.getLogger(__name__)

Decision = Literal["ack", "retry"]
Outcome = Literal["completed", "cancelled", "skipped", "failed"]
Publish = Callable[[Event], Awaitable[object]]
ERROR_NOTICE = "Sorry, I couldn't finish that answer. Please try again, or ask for a human."


class PublishFailed(Exception):
    """Publishing part of a reply failed; the turn must run again rather than be cancelled."""


class LockLost(Exception):
    """The conversation lock expired mid-turn (this replica stalled, or NATS was cut off) and
    another replica may be answering: stop without another word and leave the message to it."""


LOCK_LOST = "lock_lost"


@dataclass
class Orchestrator:
    """Everything a turn needs; built once per process by the app (or by a test)."""

    tenants: TenantDirectory
    graph: TurnGraph
    provider_for: Callable[[Tenant], Provider]
    publish: Publish
    gate: Gate
    registry: StreamRegistry = field(default_factory=StreamRegistry)
    # Outcomes and retries so far (for logs, tests and benches).
    stats: Counter[str] = field(default_factory=Counter)
    # How far each conversation was answered when this replica last knew (a hint, never trusted:
    # it only says where to start reading the stream before the lock is even taken).
    answered_hint: AnsweredHints = field(default_factory=lambda: AnsweredHints())
    # Token deltas leave batched, at most one per this many seconds (0: one per model chunk).
    delta_interval_s: float = 0.0
    # Run by aclose(): e.g. closing model clients' connection pools.
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Calls to tenants' action and tool endpoints (made on first use).
    http: httpx.AsyncClient | None = None
    # Follows uploaded knowledge documents (shared.knowledge.uploads); set when connected to NATS.
    knowledge: KnowledgeSync | None = None

    def http_client(self) -> httpx.AsyncClient:
        if self.http is None:
            self.http = httpx.AsyncClient()
        return self.http

    async def aclose(self) -> None:
        for close in self.closers:
            await close()
        if self.http is not None:
            await self.http.aclose()

    def cancel(self, tenant_id: str, conversation_id: str, reason: str) -> bool:
        """Stop the reply this replica streams in that conversation (if any) within one token."""
        return self.registry.cancel(tenant_id, conversation_id, reason)


async def handle_user_message(
    orch: Orchestrator,
    user: Turn,
    seq: int | None,
    progress: Callable[[], Awaitable[None]] | None = None,
    *,
    heartbeat: float | None = None,
    redelivered: bool = False,
) -> Decision:
    """Answer ``user`` (stream sequence ``seq``) exactly once and in conversation order.

    ``user`` is a visitor message or a widget action (orchestrator.actions): both are answered
    in the order the conversation stored them, whichever consumer delivers them first.

    "retry" means another replica holds the conversation: try again shortly.

    While the turn runs, the conversation lock is refreshed and ``progress`` (the message's
    "in progress" ack) sent every ``heartbeat`` seconds (at most a third of the lock TTL), so
    a short ack wait and lock TTL only expire when the replica is gone: a crashed replica's
    turn is redelivered and taken over within about the ack wait. ``redelivered`` (or
    answering an earlier pending message) makes the turn a possible rerun: see ``answer``.
    """
    tenant = orch.tenants.by_id(user.tenant_id)
    if tenant is None:
        log.warning("dropping %s %s for unknown tenant %r", user.type, user.id, user.tenant_id)
        return "ack"
    # Read at once with the lock (one round trip, not four): the handoff state, and the
    # conversation's events since it was last answered as far as this replica knows. Stored
    # events never change, so reading them before holding the lock is safe; the answered
    # position itself is read after (another replica may have moved it). Not on a redelivery:
    # a message retried while another replica holds the lock would read them again each time.
    cancels = orch.registry.cancels
    acquired, read, window = await asyncio.gather(
        orch.gate.acquire(user.tenant_id, user.conversation_id),
        handoff_state(orch.gate, user) if not redelivered else nothing(),
        read_window(orch.gate, user, orch.answered_hint.get(user.tenant_id, user.conversation_id), seq)
        if not redelivered
        else nothing(),
        return_exceptions=True,
    )
    if isinstance(acquired, BaseException):
        raise acquired
    lock = acquired
    # A failed read is read again once the reply's stream is open (a lock we hold is never left).
    handoff = None if isinstance(read, BaseException) else read
    if isinstance(window, BaseException):
        window = None
    if lock is None:
        orch.stats["retry"] += 1
        return "retry"
    interval = getattr(orch.gate, "lock_ttl", 10) / 3
    if heartbeat is not None:
        interval = min(interval, heartbeat)
    lost = asyncio.Event()

    def on_lost() -> None:
        lost.set()
        orch.registry.cancel(user.tenant_id, user.conversation_id, LOCK_LOST)

    stop = asyncio.Event()
    keeper = asyncio.create_task(_keep_lock(orch.gate, lock, progress, interval, on_lost, stop))
    try:
        if seq is None:
            # No stream position (in-memory test broker): nothing to order against.
            orch.stats[await _turn(orch, tenant, user, None, resume=redelivered)] += 1
            return "ack"
        done = await orch.gate.answered_through(user.tenant_id, user.conversation_id)
        orch.answered_hint.set(user.tenant_id, user.conversation_id, done)
        if seq <= done:
            orch.stats["already_answered"] += 1
            return "ack"
        if window is not None and window.covers(done, seq + 1):
            pending = window.turns(done, seq)
        else:
            window = None
            pending = await orch.gate.pending(user.tenant_id, user.conversation_id, done, seq)
        if not pending or pending[-1][0] != seq:
            pending.append((seq, user))
        for pending_seq, message in pending:
            if lost.is_set():
                raise LockLost(lock.key)
            # An earlier message still unanswered may have been cut off mid-reply too.
            resume = redelivered or pending_seq != seq
            known = Prefetched(handoff, cancels, window) if message is pending[0][1] else Prefetched(window=window)
            orch.stats[await _turn(orch, tenant, message, pending_seq, resume=resume, known=known)] += 1
            await orch.gate.set_answered_through(user.tenant_id, user.conversation_id, pending_seq)
            orch.answered_hint.set(user.tenant_id, user.conversation_id, pending_seq)
        return "ack"
    finally:
        # nats-py can swallow a cancellation (a reply racing with it): never wait on it alone,
        # or a turn whose keeper missed it holds the lock, refreshed, forever.
        stop.set()
        await stop_tasks(keeper, timeout=interval + 1)
        await orch.gate.release(lock)


async def _turn(
    orch: Orchestrator, tenant: Tenant, item: Turn, seq: int | None, *, resume: bool, known: Prefetched | None = None
) -> str:
    if isinstance(item, WidgetAction):
        return await act(orch, tenant, item, seq)
    return await answer(orch, tenant, item, seq, resume=resume, known=known)


async def _keep_lock(
    gate: Gate,
    lock: Lock,
    progress: Callable[[], Awaitable[None]] | None,
    interval: float,
    on_lost: Callable[[], None],
    stop: asyncio.Event,
) -> None:
    while not stop.is_set():
        await asyncio.sleep(interval)
        if stop.is_set():
            return
        try:
            if progress is not None:
                await progress()  # a plain publish: first, so a slow lock refresh cannot delay it
            if not await gate.refresh(lock):
                log.warning("lost conversation lock %s mid-turn; stopping the turn", lock.key)
                on_lost()
                return
        except Exception:  # NATS briefly unreachable: the next round tries again
            log.warning("could not refresh lock %s", lock.key, exc_info=True)


async def answer(
    orch: Orchestrator,
    tenant: Tenant,
    user: UserMessage,
    seq: int | None = None,
    *,
    resume: bool = False,
    known: Prefetched | None = None,
) -> Outcome:
    """Run one turn for ``user`` and publish its reply: created, deltas, then completed or cancelled.

    With ``seq`` (the message's SB_CONV sequence) the turn first folds the conversation's
    events the history has not seen (an agent's replies, messages skipped meanwhile).

    ``known``: the mode and last hand-back read just before (saves a round trip before the
    first token when no takeover has been seen since).

    ``resume``: an earlier run of this reply may have been cut off (its replica crashed, or
    NATS failed mid-reply). Every id is the same, so JetStream drops the durable events' second
    copies; an already stored end (completed/cancelled) means nothing is left to do. The
    widget applies deltas as ``text[:offset] + delta``, so re-streaming from offset 0 would
    show the text rewinding: the rerun holds its text back until it is as long as what the
    earlier run showed (its last delta, kept by the server), then sends it whole as one delta
    at offset 0 and streams on from there. The widget's text never shrinks; it only changes
    if the model words the rerun differently (then it is replaced in one step).
    """
    ids = reply_ids(user)
    # Registered before the mode check: a takeover racing with us either shows in the mode
    # or reaches this stream through cancel().
    stream = await orch.registry.open(user.tenant_id, user.conversation_id, ids.message_id)
    try:
        if resume:
            agent_has_it, earlier = await asyncio.gather(
                human_has_it(orch.gate, user, seq),
                orch.gate.resume_point(user.tenant_id, user.conversation_id, ids.message_id),
            )
        elif known is not None and known.handoff is not None and known.cancels == orch.registry.cancels:
            agent_has_it, earlier = not_ours(known.handoff, seq), Resume()
        else:
            agent_has_it, earlier = await human_has_it(orch.gate, user, seq), Resume()
        if agent_has_it:
            return "skipped"
        if earlier.ended is not None:
            return earlier.ended  # the cut-off run got as far as its end event
        stream.shown_before = earlier.shown
        if earlier.shown:
            log.info(
                "taking over reply %s in %s/%s: %d characters shown",
                ids.message_id,
                user.tenant_id,
                user.conversation_id,
                earlier.shown,
            )
            orch.stats["taken_over"] += 1
        if stream.cancel_reason == LOCK_LOST:
            raise LockLost(ids.message_id)
        if stream.cancel_reason is not None:
            return "cancelled"  # cancelled before anything was said: nothing to retract
        author = Author(name=tenant.assistant_name)
        provider = orch.provider_for(tenant)
        verbatim = getattr(provider, "verbatim", None)
        generated = not (verbatim is not None and verbatim(user.text, tenant))
        sources: list[Source] = []
        components: list[Component] = []
        declared: list[str] | None = None  # the sources the provider says the reply quotes
        created = False
        clock = TurnClock()

        async def publish(event: Event) -> None:
            try:
                await orch.publish(event)
            except Exception as exc:
                raise PublishFailed(event.type) from exc

        window = known.window if known is not None else None

        async def read_events(after: int, before: int) -> list[tuple[int, Event]]:
            if window is not None and window.covers(after, before):
                return window.between(after, before)
            return await orch.gate.events(user.tenant_id, user.conversation_id, after, before)

        async def pump() -> None:
            nonlocal sources, created, declared
            turn = TurnInput(
                tenant,
                user.conversation_id,
                user.message_id,
                user.text,
                seq=seq,
                read_events=read_events,
                http=orch.http_client() if tenant.tools else None,
            )
            chunks = sources_then_chunks(orch.graph, turn, provider, orch.delta_interval_s)
            async for item in chunks:
                if isinstance(item, list):
                    sources = item
                    await publish(_created(user, ids.created, ids.message_id, author, sources, generated))
                    created = True
                elif isinstance(item, Components):
                    components.extend(item.items)  # shown with the completed reply
                elif isinstance(item, Citations):
                    declared = item.ids
                elif item:
                    clock.chunk()
                    offset = stream.append(item)
                    if stream.length < earlier.shown:
                        continue  # the widget already shows this much
                    if offset < earlier.shown:  # the first part past it: the whole text, in one step
                        await publish(_delta(user, ids.delta(0), ids.message_id, 0, stream.text))
                    else:
                        await publish(_delta(user, ids.delta(offset), ids.message_id, offset, item))

        await orch.publish(assistant_typing(user, tenant, on=True))
        stream.task = asyncio.create_task(pump())
        try:
            await stream.task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if stream.cancel_reason is None or (current is not None and current.cancelling()):
                raise  # we are being cancelled ourselves, not the reply
        except PublishFailed:
            raise  # the bus is the problem: leave the message unacked so the turn reruns with the same ids
        except Exception:
            log.exception("turn for message %s failed", user.message_id)
            stream.cancel_reason = "error"
        if stream.cancel_reason == LOCK_LOST:
            raise LockLost(ids.message_id)  # the new holder of the lock answers; say nothing more
        await orch.publish(assistant_typing(user, tenant, on=False))
        if stream.cancel_reason is not None:
            if created:
                await orch.publish(
                    MessageCancelled(
                        id=ids.cancelled,
                        tenant_id=user.tenant_id,
                        conversation_id=user.conversation_id,
                        message_id=ids.message_id,
                        reason=stream.cancel_reason,
                        text=stream.text,
                    )
                )
            if stream.cancel_reason != "error":
                return "cancelled"
            # The model failed: tell the visitor instead of leaving them with half an answer.
            await orch.publish(
                Notice(
                    id=ids.notice,
                    tenant_id=user.tenant_id,
                    conversation_id=user.conversation_id,
                    code="assistant_error",
                    text=ERROR_NOTICE,
                )
            )
            return "failed"
        await orch.publish(
            MessageCompleted(
                id=ids.completed,
                tenant_id=user.tenant_id,
                conversation_id=user.conversation_id,
                message_id=ids.message_id,
                role="assistant",
                text=stream.text,
                author=author,
                reply_to=user.message_id,
                sources=sources,
                citations=cited(stream.text, sources, declared),
                components=components,
                generated=generated,
            )
        )
        clock.completed()
        return "completed"
    finally:
        await orch.registry.close(stream)


def _created(
    user: UserMessage, event_id: str, message_id: str, author: Author, sources: list[Source], generated: bool = True
) -> Event:
    return MessageCreated(
        generated=generated,
        id=event_id,
        tenant_id=user.tenant_id,
        conversation_id=user.conversation_id,
        message_id=message_id,
        role="assistant",
        author=author,
        reply_to=user.message_id,
        sources=sources,
        question=user.text,
    )


def _delta(user: UserMessage, event_id: str, message_id: str, offset: int, text: str) -> Event:
    return MessageDelta(
        id=event_id,
        tenant_id=user.tenant_id,
        conversation_id=user.conversation_id,
        message_id=message_id,
        offset=offset,
        text=text,
    )
