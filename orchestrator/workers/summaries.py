"""Store a conversation's digest after a reply, once the recorder has written that reply."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.workers.digest import Turn
from orchestrator.workers.llm import Summarizer
from shared.db import Conversation, Message
from shared.db.base import utcnow
from shared.events import ConversationInsights
from shared.tasks import PostReplyTask

MAX_TURNS = 200


async def summarize_conversation(
    session: AsyncSession, task: PostReplyTask, summarize: Summarizer
) -> Literal["done", "wait"] | ConversationInsights:
    """Digest the conversation up to the task's reply; 'wait' while the recorder has not stored that reply yet.

    Returns the new digest as a ConversationInsights event for the caller to publish after
    it commits, or 'done' when a newer digest already exists. A digest computed after an
    older reply never replaces a newer one.
    """
    message_id = task.event.get("message_id")
    conversation = await session.get(Conversation, task.conversation_id)
    if conversation is None or not isinstance(message_id, str) or await session.get(Message, message_id) is None:
        return "wait"
    if conversation.summary_seq >= task.seq:
        return "done"
    rows = await session.scalars(
        select(Message)
        .where(Message.conversation_id == task.conversation_id, Message.seq <= task.seq)
        .order_by(Message.seq)
        .limit(MAX_TURNS)
    )
    turns = [Turn(role=m.role, text=m.text) for m in rows]
    digest = await summarize(turns)
    await session.execute(
        update(Conversation)
        .where(Conversation.id == task.conversation_id, Conversation.summary_seq < task.seq)
        .values(
            title=digest.title[:200], summary=digest.summary, tags=digest.tags, summary_seq=task.seq,
            updated_at=utcnow(),
        )
    )  # fmt: skip
    return ConversationInsights(
        id=f"insights-{task.event_id}",
        tenant_id=task.tenant_id,
        conversation_id=task.conversation_id,
        message_id=message_id,
        title=digest.title[:200],
        summary=digest.summary,
        tags=digest.tags,
        turns=sum(t.role == "visitor" for t in turns),
    )
