"""Consumers: enqueue tasks after each completed reply, then one work-queue consumer per task kind.

Why a queue between message.completed and the work (rather than workers consuming
message.completed directly): each kind retries on its own schedule. A webhook that fails
is redelivered with exponential backoff (nak with delay) without recomputing the digest,
and a digest waiting for the recorder (or for the conversation to go quiet) does not hold
up the webhook. Work-queue retention drops a task once done, so the stream holds exactly
the outstanding work.

The enqueuer and the digest fetch in batches (shared.consumer): a message that keeps
failing is dead-lettered to SB_DLQ, never dropped and never in the way of the others.
Webhooks stay on a FastStream consumer with many concurrent handlers (a slow tenant
endpoint must not hold up a batch); one that fails every attempt is dead-lettered too.
"""

from __future__ import annotations

import asyncio
import json
import logging

from faststream.middlewares import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy
from pydantic import ValidationError

from orchestrator.workers.context import Workers
from orchestrator.workers.planning import plan_tasks
from orchestrator.workers.summaries import summarize_conversation
from orchestrator.workers.webhooks import deliver_webhook
from shared.bus import emit
from shared.consumer import BatchConsumer, ConsumerPolicy, Poison, bus_unavailable
from shared.db.errors import database_unavailable
from shared.dlq import dead_letter
from shared.events import ConversationInsights
from shared.subjects import CONV_STREAM, Channel, kind_pattern
from shared.tasks import TASK_STREAM, PostReplyTask, TaskKind, enqueue, task_pattern

log = logging.getLogger(__name__)

ENQUEUER = "post-reply"
DURABLES = {TaskKind.SUMMARIZE: "post-reply-summarize", TaskKind.WEBHOOK: "post-reply-webhook"}
TASKS_JSTREAM = JStream(TASK_STREAM, declare=False)
# Single-message fetches with handler concurrency (max_workers): nats-py's multi-message fetch
# can raise a bare asyncio.TimeoutError that FastStream 0.7.8 does not catch (see shared.consumer).
FETCH_TIMEOUT_S = 5.0
# Slow tenant endpoints must not hold up everyone else's webhooks.
WEBHOOK_WORKERS = 16
# The digest needs the reply in the database; the recorder usually writes it within ~100 ms.
# It waits longer each time (a recorder that is down), up to a minute apart.
RECORDER_WAIT_S = 0.5
RECORDER_WAIT_MAX_S = 60.0
# Deliveries of one digest task (waits for the recorder and for quiet included) before it is
# dead-lettered: about an hour of a recorder not recording.
SUMMARY_MAX_DELIVER = 70
SUMMARY_ACK_WAIT_S = 120.0


class RecorderBehind(Exception):
    """The reply was never recorded within the digest's patience."""


def delivery_count(msg: Msg) -> int:
    return int(msg.metadata.num_delivered)


def decode_completed(msg: Msg) -> dict[str, object]:
    try:
        body = json.loads(msg.data)
    except ValueError as exc:
        raise Poison(f"Expected a JSON message.completed, got invalid JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise Poison(f"Expected a JSON object, got {type(body).__name__}")
    return body


def decode_task(msg: Msg) -> PostReplyTask:
    try:
        return PostReplyTask.model_validate_json(msg.data)
    except ValidationError as exc:
        raise Poison(f"Expected a post-reply task, got {exc.error_count()} validation errors") from exc


def enqueuer(workers: Workers, policy: ConsumerPolicy) -> BatchConsumer:
    async def enqueue_for(msgs: list[Msg]) -> None:
        tasks = [
            task
            for msg in msgs
            for task in plan_tasks(decode_completed(msg), int(msg.metadata.sequence.stream), workers.tenants)
        ]
        await asyncio.gather(*(enqueue(workers.jetstream, task) for task in tasks))

    async def enqueue_one(msg: Msg) -> None:
        await enqueue_for([msg])

    return BatchConsumer(
        js=workers.jetstream, stream=CONV_STREAM, durable=ENQUEUER,
        filter_subject=kind_pattern(Channel.CONV, "message.completed"), handle_one=enqueue_one,
        handle_batch=enqueue_for, policy=policy, transient=bus_unavailable,
        # NEW on first creation: a first deployment does not replay a week of webhooks. From
        # then on the durable remembers its place, so replies completed while down are not lost.
        deliver_policy=DeliverPolicy.NEW,
        description="Enqueues the post-reply tasks (digest, webhook) of every completed reply, once.",
    )  # fmt: skip


def digester(workers: Workers, broker: NatsBroker, policy: ConsumerPolicy) -> BatchConsumer:
    async def digest(msg: Msg) -> float | None:
        task = decode_task(msg)
        async with workers.sessions.begin() as session:
            outcome = await summarize_conversation(session, task, workers.summarize, workers.digest)
        if isinstance(outcome, ConversationInsights):
            # Committed: tell agent consoles (and anyone on the bus) at once. The row is the
            # record; a lost announcement is not worth redoing the digest for.
            try:
                await emit(broker, outcome)
            except Exception as exc:
                log.warning("could not publish the insights of %s: %s", task.conversation_id, exc)
            return None
        if outcome == "done":
            return None
        if outcome == "wait":
            if delivery_count(msg) >= SUMMARY_MAX_DELIVER:
                raise RecorderBehind(
                    f"reply {task.event.get('message_id')} not recorded after {SUMMARY_MAX_DELIVER} tries"
                )
            return min(RECORDER_WAIT_S * 2 ** min(delivery_count(msg) - 1, 10), RECORDER_WAIT_MAX_S)
        return float(outcome)  # not due yet: back when the conversation may have gone quiet

    return BatchConsumer(
        js=workers.jetstream, stream=TASK_STREAM, durable=DURABLES[TaskKind.SUMMARIZE],
        filter_subject=task_pattern(TaskKind.SUMMARIZE), handle_one=digest, policy=policy,
        transient=lambda exc: database_unavailable(exc) or bus_unavailable(exc),
        description="Title, summary and tags of the conversation, stored on its row when due.",
    )  # fmt: skip


def consumers_for(workers: Workers, broker: NatsBroker, policy: ConsumerPolicy) -> list[BatchConsumer]:
    digest_policy = ConsumerPolicy(
        batch_size=policy.batch_size, fetch_timeout_s=policy.fetch_timeout_s, ack_wait_s=SUMMARY_ACK_WAIT_S,
        max_tries=policy.max_tries, retry_delay_s=policy.retry_delay_s, concurrent=True,
    )  # fmt: skip
    return [enqueuer(workers, policy), digester(workers, broker, digest_policy)]


def register_handlers(broker: NatsBroker, workers: Workers) -> None:
    @broker.subscriber(
        task_pattern(TaskKind.WEBHOOK),
        stream=TASKS_JSTREAM,
        durable=DURABLES[TaskKind.WEBHOOK],
        pull_sub=PullSub(batch_size=1, timeout=FETCH_TIMEOUT_S),
        max_workers=WEBHOOK_WORKERS,
        config=ConsumerConfig(ack_wait=workers.policy.timeout_s + 30.0, max_deliver=-1),
        ack_policy=AckPolicy.MANUAL,
        title="workers/task.webhook",
        description="POSTs the signed turn to the tenant's webhook URL; retried with exponential backoff.",
    )
    async def on_webhook(task: PostReplyTask, msg: NatsMessage) -> None:
        tenant = workers.tenants.by_id(task.tenant_id)
        if tenant is None or not (tenant.webhook_url and tenant.webhook_secret):
            await msg.ack()  # the tenant turned webhooks off since the task was queued
            return
        attempt = delivery_count(msg.raw_message)
        result = await deliver_webhook(workers.sessions, workers.http, tenant, task, attempt, workers.policy)
        if result.ok:
            await msg.ack()
        elif result.refused:
            log.error("webhook %s not sent: %s", task.event_id, result.error)  # a retry would be refused too
            await msg.reject()
        elif attempt >= workers.policy.max_attempts:
            # The status only: a target's response body is never stored or logged.
            failure = RuntimeError(f"webhook failed {attempt} times, last status {result.status_code}")
            await dead_letter(workers.jetstream, msg.raw_message, DURABLES[TaskKind.WEBHOOK], failure, attempt)
        else:
            await msg.nack(delay=workers.policy.backoff(attempt))
