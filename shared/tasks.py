"""Post-reply task queue: the SB_TASKS work-queue stream, its subjects, and the task message.

Layout: ``sb.task.<kind>.<tenant>.<conversation>``. Each kind has one durable consumer (shared
by all worker replicas); work-queue retention deletes a task once a worker acks it. A task's
JetStream message id is ``<event id>:<kind>``, so enqueueing twice (a redelivered
message.completed, two enqueuers) stores it once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError
from pydantic import BaseModel, Field

from shared.bus import nats_replicas
from shared.subjects import PREFIX, check_token

TASK_STREAM = "SB_TASKS"
TASK_CHANNEL = "task"
DUPLICATE_WINDOW_S = 30 * 60
RETENTION_S = 7 * 24 * 3600


class TaskKind(StrEnum):
    SUMMARIZE = "summarize"
    WEBHOOK = "webhook"


def task_subject(kind: TaskKind, tenant: str, conversation: str) -> str:
    return f"{PREFIX}.{TASK_CHANNEL}.{kind}.{check_token(tenant, 'tenant id')}.{check_token(conversation)}"


def task_pattern(kind: TaskKind) -> str:
    """Every task of one kind (one consumer's filter)."""
    return f"{PREFIX}.{TASK_CHANNEL}.{kind}.>"


def task_msg_id(event_id: str, kind: TaskKind) -> str:
    return f"{event_id}:{kind}"


class PostReplyTask(BaseModel):
    """Work to do after a reply completed; carries the event so a worker needs nothing else to start."""

    v: int = Field(1, description="Schema version of the task message.")
    kind: TaskKind
    tenant_id: str
    conversation_id: str
    event_id: str = Field(description="The message.completed event this task follows.")
    seq: int = Field(description="The event's sequence in SB_CONV.")
    event: dict[str, Any] = Field(description="The message.completed event as published.")

    @property
    def subject(self) -> str:
        return task_subject(self.kind, self.tenant_id, self.conversation_id)

    @property
    def msg_id(self) -> str:
        return task_msg_id(self.event_id, self.kind)


def task_stream_config() -> StreamConfig:
    return StreamConfig(
        name=TASK_STREAM,
        description="Post-reply work (title/summary/tags, webhooks); each task is deleted once done.",
        subjects=[f"{PREFIX}.{TASK_CHANNEL}.>"],
        retention=RetentionPolicy.WORK_QUEUE,
        duplicate_window=DUPLICATE_WINDOW_S,
        max_age=RETENTION_S,
        storage=StorageType.FILE,
        num_replicas=nats_replicas(),
    )


async def ensure_task_stream(js: JetStreamContext) -> None:
    config = task_stream_config()
    try:
        await js.add_stream(config=config)
    except BadRequestError:
        await js.update_stream(config=config)


async def enqueue(js: JetStreamContext, task: PostReplyTask) -> int:
    """Store ``task`` once (de-duplicated by event id and kind); returns its stream sequence."""
    ack = await js.publish(
        task.subject, task.model_dump_json().encode(), headers={"Nats-Msg-Id": task.msg_id}, stream=TASK_STREAM
    )
    return int(ack.seq)
