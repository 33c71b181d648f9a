"""summarize_conversation on both backends: waits for the recorder, stores the digest, never goes backwards."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.workers.digest import Digest, Turn
from orchestrator.workers.summaries import summarize_conversation
from services.recorder.store import record_event
from shared.db import Conversation
from shared.events import ConversationInsights, Event, MessageCompleted, UserMessage
from shared.tasks import PostReplyTask, TaskKind

Sessions = async_sessionmaker[AsyncSession]


def task_for(event: MessageCompleted, seq: int) -> PostReplyTask:
    return PostReplyTask(
        kind=TaskKind.SUMMARIZE, tenant_id=event.tenant_id, conversation_id=event.conversation_id,
        event_id=event.id, seq=seq, event=event.model_dump(mode="json"),
    )  # fmt: skip


async def record(sessions: Sessions, event: Event, seq: int) -> None:
    async with sessions.begin() as session:
        await record_event(session, event.model_dump(mode="json"), seq, event.channel)


async def summarize(sessions: Sessions, task: PostReplyTask, seen: list[list[Turn]]) -> object:
    async def fake(turns: list[Turn]) -> Digest:
        seen.append(turns)
        return Digest(title=f"title@{task.seq}", summary=f"summary of {len(turns)}", tags=["t"])

    async with sessions.begin() as session:
        return await summarize_conversation(session, task, fake)


async def test_waits_for_the_recorder_then_stores_the_digest(db_sessions: Sessions) -> None:
    conv = uuid.uuid4().hex
    user = UserMessage(
        tenant_id="acme", conversation_id=conv, message_id="u1", client_id="c", visitor_id="v", text="Q?"
    )
    reply = MessageCompleted(tenant_id="acme", conversation_id=conv, message_id="a1", role="assistant", text="A.")
    seen: list[list[Turn]] = []

    assert await summarize(db_sessions, task_for(reply, 2), seen) == "wait"  # nothing recorded yet
    await record(db_sessions, user, 1)
    assert await summarize(db_sessions, task_for(reply, 2), seen) == "wait"  # the reply is not recorded yet
    await record(db_sessions, reply, 2)
    insights = await summarize(db_sessions, task_for(reply, 2), seen)
    assert isinstance(insights, ConversationInsights)
    assert (insights.title, insights.summary, insights.tags, insights.turns) == ("title@2", "summary of 2", ["t"], 1)
    assert insights.message_id == "a1"
    assert await summarize(db_sessions, task_for(reply, 2), seen) == "done"  # a redelivery does no work
    assert seen == [[Turn("visitor", "Q?"), Turn("assistant", "A.")]]
    async with db_sessions() as s:
        row = await s.get(Conversation, conv)
        assert row is not None
        assert (row.title, row.summary, row.tags, row.summary_seq) == ("title@2", "summary of 2", ["t"], 2)


async def test_an_older_digest_never_replaces_a_newer_one(db_sessions: Sessions) -> None:
    conv = uuid.uuid4().hex
    first = MessageCompleted(tenant_id="acme", conversation_id=conv, message_id="a1", role="assistant", text="one")
    second = MessageCompleted(tenant_id="acme", conversation_id=conv, message_id="a2", role="assistant", text="two")
    await record(db_sessions, first, 3)
    await record(db_sessions, second, 5)
    seen: list[list[Turn]] = []
    assert isinstance(await summarize(db_sessions, task_for(second, 5), seen), ConversationInsights)
    assert await summarize(db_sessions, task_for(first, 3), seen) == "done"  # late: acked without work
    assert len(seen) == 1
    async with db_sessions() as s:
        row = await s.get(Conversation, conv)
        assert row is not None
        assert (row.title, row.summary_seq) == ("title@5", 5)
