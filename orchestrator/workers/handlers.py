"""Bus handlers: enqueue tasks after each completed reply, then one work-queue consumer per task kind.

Why a queue between message.completed and the work (rather than workers consuming
message.completed directly): each kind retries on its own schedule. A webhook that fails
is redelivered with exponential backoff (nak with delay) without recomputing the digest,
and a digest waiting for the recorder does not hold up the webhook. Work-queue retention
drops a task once done, so the stream holds exactly the outstanding work.
"""

from __future__ import annotations

import logging
from typing import Any

from faststream.middlewares import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.js.api import DeliverPolicy

from orchestrator.workers.context import Workers
from orchestrator.workers.planning import plan_tasks
from orchestrator.workers.summaries import summarize_conversation
from orchestrator.workers.webhooks import deliver_webhook
from shared.bus import CONV_JSTREAM, emit
from shared.events import ConversationInsights
from shared.subjects import Channel, kind_pattern
from shared.tasks import TASK_STREAM, PostReplyTask, TaskKind, enqueue, task_pattern

log = logging.getLogger(__name__)

ENQUEUER = "post-reply"
DURABLES = {TaskKind.SUMMARIZE: "post-reply-summarize", TaskKind.WEBHOOK: "post-reply-webhook"}
TASKS_JSTREAM = JStream(TASK_STREAM, declare=False)
RETRY_DELAY_S = 1.0
# Single-message fetches with handler concurrency (max_workers): nats-py's multi-message fetch
# can raise a bare asyncio.TimeoutError that FastStream 0.7.8 does not catch (see the recorder).
FETCH_TIMEOUT_S = 5.0
SUMMARY_WORKERS = 4
# Slow tenant endpoints must not hold up everyone else's webhooks.
WEBHOOK_WORKERS = 16
# The digest needs the reply in the database; the recorder usually writes it within ~100 ms.
RECORDER_WAIT_S = 0.5
SUMMARY_MAX_DELIVER = 60


def delivery_count(msg: NatsMessage) -> int:
    return int(msg.raw_message.metadata.num_delivered)


def register_handlers(broker: NatsBroker, workers: Workers) -> None:
    @broker.subscriber(
        kind_pattern(Channel.CONV, "message.completed"),
        stream=CONV_JSTREAM,
        durable=ENQUEUER,
        pull_sub=PullSub(batch_size=1, timeout=FETCH_TIMEOUT_S),
        # NEW on first creation: a first deployment does not replay a week of webhooks. From
        # then on the durable remembers its place, so replies completed while down are not lost.
        config=ConsumerConfig(ack_wait=30.0, deliver_policy=DeliverPolicy.NEW),
        ack_policy=AckPolicy.MANUAL,
        title="workers/message.completed",
        description="Enqueues the post-reply tasks (digest, webhook) of every completed reply, once.",
    )
    async def on_completed(body: dict[str, Any], msg: NatsMessage) -> None:
        seq = int(msg.raw_message.metadata.sequence.stream)
        try:
            for task in plan_tasks(body, seq, workers.tenants):
                await enqueue(workers.jetstream, task)
        except Exception:
            log.exception("could not enqueue post-reply tasks for seq %s; will retry", seq)
            await msg.nack(delay=RETRY_DELAY_S)
            return
        await msg.ack()

    @broker.subscriber(
        task_pattern(TaskKind.SUMMARIZE),
        stream=TASKS_JSTREAM,
        durable=DURABLES[TaskKind.SUMMARIZE],
        pull_sub=PullSub(batch_size=1, timeout=FETCH_TIMEOUT_S),
        max_workers=SUMMARY_WORKERS,
        config=ConsumerConfig(ack_wait=120.0, max_deliver=SUMMARY_MAX_DELIVER),
        ack_policy=AckPolicy.MANUAL,
        title="workers/task.summarize",
        description="Title, summary and tags of the conversation, stored on its row.",
    )
    async def on_summarize(task: PostReplyTask, msg: NatsMessage) -> None:
        try:
            async with workers.sessions.begin() as session:
                outcome = await summarize_conversation(session, task, workers.summarize)
        except Exception:
            log.exception("digest of %s failed; will retry", task.conversation_id)
            outcome = "wait"
        if isinstance(outcome, ConversationInsights):
            # Committed: tell agent consoles (and anyone on the bus) at once. The row is the
            # record; a lost announcement is not worth redoing the digest for.
            try:
                await emit(broker, outcome)
            except Exception:
                log.exception("could not publish the insights of %s", task.conversation_id)
            await msg.ack()
        elif outcome == "done":
            await msg.ack()
        elif delivery_count(msg) >= SUMMARY_MAX_DELIVER:
            log.error("giving up the digest of %s after %s tries", task.conversation_id, SUMMARY_MAX_DELIVER)
            await msg.reject()
        else:
            await msg.nack(delay=RECORDER_WAIT_S)

    @broker.subscriber(
        task_pattern(TaskKind.WEBHOOK),
        stream=TASKS_JSTREAM,
        durable=DURABLES[TaskKind.WEBHOOK],
        pull_sub=PullSub(batch_size=1, timeout=FETCH_TIMEOUT_S),
        max_workers=WEBHOOK_WORKERS,
        config=ConsumerConfig(ack_wait=workers.policy.timeout_s + 30.0, max_deliver=workers.policy.max_attempts),
        ack_policy=AckPolicy.MANUAL,
        title="workers/task.webhook",
        description="POSTs the signed turn to the tenant's webhook URL; retried with exponential backoff.",
    )
    async def on_webhook(task: PostReplyTask, msg: NatsMessage) -> None:
        tenant = workers.tenants.by_id(task.tenant_id)
        if tenant is None or not (tenant.webhook_url and tenant.webhook_secret):
            await msg.ack()  # the tenant turned webhooks off since the task was queued
            return
        attempt = delivery_count(msg)
        result = await deliver_webhook(workers.sessions, workers.http, tenant, task, attempt, workers.policy)
        if result.ok:
            await msg.ack()
        elif result.refused:
            log.error("webhook %s not sent: %s", task.event_id, result.error)  # a retry would be refused too
            await msg.reject()
        elif attempt >= workers.policy.max_attempts:
            log.error("webhook %s to %s failed %s times; giving up", task.event_id, tenant.webhook_url, attempt)
            await msg.reject()
        else:
            await msg.nack(delay=workers.policy.backoff(attempt))
