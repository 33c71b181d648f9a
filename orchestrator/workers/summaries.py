"""Store a conversation's digest after a reply: at once after the first, then when it goes quiet or every N replies.

A digest after every reply is wasted work while the conversation goes on (the next reply
makes it stale at once), and an LLM call per turn with a configured model. So the task of a
reply:
- digests at once when the conversation has no digest yet (the inbox needs a title), unless
  a newer reply is recorded;
- is done without work when a newer reply is recorded (that reply's own task digests it);
- digests now when ``every_turns`` replies have come since the last digest;
- otherwise comes back once the conversation has been quiet for ``idle_s`` (a JetStream
  redelivery after that delay), and digests then if nothing newer came.
The title is set by the first digest and kept: an inbox entry does not change name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Select,
    String,
    Table,
    bindparam,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from orchestrator.workers.digest import Turn
from orchestrator.workers.llm import Summarizer
from shared.db import Conversation, Message
from shared.db.base import utcnow
from shared.events import ConversationInsights
from shared.tasks import PostReplyTask

MAX_TURNS = 200


@dataclass(frozen=True)
class DigestPolicy:
    idle_s: float = 20.0
    every_turns: int = 10


# "wait": the recorder has not stored the reply yet; a number: come back after that many seconds.
Outcome = Literal["done", "wait"] | float | ConversationInsights


def replies_after(
    conversation_id: str | BindParameter[str], seq: int | BindParameter[int] | InstrumentedAttribute[int]
) -> list[ColumnElement[bool]]:
    return [
        Message.conversation_id == conversation_id,
        Message.seq > seq,
        Message.role != "visitor",
        Message.status == "completed",
    ]


@dataclass(frozen=True)
class Standing:
    """Where the conversation stands for one task, read in one query."""

    title: str | None
    summary_seq: int
    reply_at: datetime | None  # None: the recorder has not stored the reply yet
    newer: bool  # a later reply is recorded (its own task will digest)
    since_last: int  # replies since the last digest, up to this one


def _standing_query() -> Select[Any]:
    """Where a conversation stands, as one statement built once (per task only its values change)."""
    conversation_id, seq = bindparam("conversation_id", type_=String), bindparam("seq", type_=BigInteger)
    reply_at = select(Message.created_at).where(Message.id == bindparam("message_id", type_=String))
    newer = exists().where(*replies_after(conversation_id, seq))
    since_last = (
        select(func.count())
        .select_from(Message)
        .where(*replies_after(conversation_id, Conversation.summary_seq), Message.seq <= seq)
        .scalar_subquery()
    )
    return select(Conversation.title, Conversation.summary_seq, reply_at.scalar_subquery(), newer, since_last).where(
        Conversation.id == conversation_id
    )


# Built once (as TURNS and STORE_DIGEST): composing a statement per task cost more CPU than running it.
STANDING = _standing_query()


_columns = cast(Table, Conversation.__table__).c
# The conversation's turns up to the task's reply, and the digest stored unless a newer one is.
TURNS = (
    select(Message)
    .where(Message.conversation_id == bindparam("conversation_id"), Message.seq <= bindparam("seq"))
    .order_by(Message.seq)
    .limit(MAX_TURNS)
)
STORE_DIGEST = (
    update(Conversation)
    .where(Conversation.id == bindparam("conversation_id"), Conversation.summary_seq < bindparam("seq"))
    .values(
        title=bindparam("new_title", type_=_columns.title.type),
        summary=bindparam("new_summary", type_=_columns.summary.type),
        tags=bindparam("new_tags", type_=_columns.tags.type),
        summary_seq=bindparam("seq"),
        updated_at=bindparam("now", type_=_columns.updated_at.type),
    )
)


async def standing(session: AsyncSession, task: PostReplyTask, message_id: str) -> Standing | None:
    values = {"conversation_id": task.conversation_id, "seq": task.seq, "message_id": message_id}
    row = (await session.execute(STANDING, values)).first()
    if row is None:
        return None
    title, summary_seq, at, is_newer, since = row
    return Standing(title, summary_seq, at, bool(is_newer), since or 0)


def due_in(state: Standing, policy: DigestPolicy, now: datetime) -> float | Literal["done"] | None:
    """None when the digest is due now; "done" when a newer reply will see to it; else seconds to wait."""
    if state.title is None:
        # No digest yet: the newest reply's task gives the inbox its title at once.
        return "done" if state.newer else None
    if state.since_last >= policy.every_turns:
        return None
    if state.newer:
        return "done"
    assert state.reply_at is not None
    quiet = (now - state.reply_at).total_seconds()
    return None if quiet >= policy.idle_s else policy.idle_s - quiet


async def summarize_conversation(
    session: AsyncSession,
    task: PostReplyTask,
    summarize: Summarizer,
    policy: DigestPolicy | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Digest the conversation up to the task's reply when due (see the module doc); without a policy, at once.

    Returns the new digest as a ConversationInsights event for the caller to publish after
    it commits, 'done' when there is nothing to do (a newer digest exists or will), 'wait'
    while the recorder has not stored the reply, or the seconds until the digest is due.
    A digest computed after an older reply never replaces a newer one.
    """
    message_id = task.event.get("message_id")
    state = await standing(session, task, message_id) if isinstance(message_id, str) else None
    if state is None or state.reply_at is None:
        return "wait"
    if state.summary_seq >= task.seq:
        return "done"
    if policy is not None:
        due = due_in(state, policy, now or utcnow())
        if due is not None:
            return due
    rows = await session.scalars(TURNS, {"conversation_id": task.conversation_id, "seq": task.seq})
    turns = [Turn(role=m.role, text=m.text) for m in rows]
    digest = await summarize(turns)
    title = state.title or digest.title[:200]
    values = {
        "conversation_id": task.conversation_id, "seq": task.seq, "new_title": title, "new_summary": digest.summary,
        "new_tags": digest.tags, "now": utcnow(),
    }  # fmt: skip
    await session.execute(STORE_DIGEST, values)
    return ConversationInsights(
        id=f"insights-{task.event_id}",
        tenant_id=task.tenant_id,
        conversation_id=task.conversation_id,
        message_id=message_id,
        title=title,
        summary=digest.summary,
        tags=digest.tags,
        turns=sum(t.role == "visitor" for t in turns),
    )
