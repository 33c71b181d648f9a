"""summarize_conversation on both backends: waits for the recorder, stores the digest, never goes backwards."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.workers.digest import Digest, Turn
from orchestrator.workers.summaries import DigestPolicy, summarize_conversation
from services.recorder.store import record_event
from shared.db import Conversation, Message
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


async def digest_at(
    sessions: Sessions, task: PostReplyTask, seen: list[list[Turn]], policy: DigestPolicy, after_s: float
) -> object:
    """summarize_conversation with ``policy``, as if ``after_s`` seconds had passed since the reply."""

    async def fake(turns: list[Turn]) -> Digest:
        seen.append(turns)
        return Digest(title=f"title@{task.seq}", summary=f"summary of {len(turns)}", tags=["t"])

    async with sessions.begin() as session:
        reply = await session.get(Message, task.event["message_id"])
        assert reply is not None
        now = reply.created_at + timedelta(seconds=after_s)
        return await summarize_conversation(session, task, fake, policy, now)


def reply_to(conv: str, n: int) -> list[Event]:
    return [
        UserMessage(
            tenant_id="acme", conversation_id=conv, message_id=f"{conv[:6]}u{n}", client_id=f"c{n}", visitor_id="v",
            text=f"Question {n}?",
        ),
        MessageCompleted(
            tenant_id="acme", conversation_id=conv, message_id=f"{conv[:6]}a{n}", role="assistant", text=f"A{n}."
        ),
    ]  # fmt: skip


async def record_turn(sessions: Sessions, conv: str, n: int) -> PostReplyTask:
    user, reply = reply_to(conv, n)
    await record(sessions, user, 10 * n + 1)
    await record(sessions, reply, 10 * n + 2)
    return task_for(reply, 10 * n + 2)  # type: ignore[arg-type]


async def test_title_at_the_first_reply_then_a_summary_only_once_the_conversation_is_quiet(
    db_sessions: Sessions,
) -> None:
    conv, policy = uuid.uuid4().hex, DigestPolicy(idle_s=20, every_turns=10)
    seen: list[list[Turn]] = []
    first = await digest_at(db_sessions, await record_turn(db_sessions, conv, 0), seen, policy, after_s=0)
    assert isinstance(first, ConversationInsights)
    assert first.title == "title@2"  # the first reply: digested at once, for the inbox
    tasks = [await record_turn(db_sessions, conv, n) for n in (1, 2)]
    # A newer reply is recorded, whose own task will digest the conversation.
    assert await digest_at(db_sessions, tasks[0], seen, policy, after_s=0) == "done"
    # The latest reply, 5 s old: come back when the conversation has been quiet for 20 s.
    assert await digest_at(db_sessions, tasks[1], seen, policy, after_s=5) == pytest.approx(15)
    assert len(seen) == 1
    later = await digest_at(db_sessions, tasks[1], seen, policy, after_s=20)
    assert isinstance(later, ConversationInsights)
    assert (later.title, later.summary) == ("title@2", "summary of 6")  # the title is kept
    async with db_sessions() as s:
        row = await s.get(Conversation, conv)
        assert row is not None
        assert (row.title, row.summary, row.summary_seq) == ("title@2", "summary of 6", 22)


async def test_without_a_digest_yet_only_the_newest_reply_makes_one(db_sessions: Sessions) -> None:
    conv, policy = uuid.uuid4().hex, DigestPolicy(idle_s=20, every_turns=10)
    seen: list[list[Turn]] = []
    tasks = [await record_turn(db_sessions, conv, n) for n in range(2)]
    assert await digest_at(db_sessions, tasks[0], seen, policy, after_s=0) == "done"
    assert isinstance(await digest_at(db_sessions, tasks[1], seen, policy, after_s=0), ConversationInsights)
    assert len(seen) == 1


async def test_a_long_busy_conversation_is_digested_every_n_replies(db_sessions: Sessions) -> None:
    conv, policy = uuid.uuid4().hex, DigestPolicy(idle_s=60, every_turns=3)
    seen: list[list[Turn]] = []
    assert isinstance(
        await digest_at(db_sessions, await record_turn(db_sessions, conv, 0), seen, policy, after_s=0),
        ConversationInsights,
    )
    tasks = [await record_turn(db_sessions, conv, n) for n in range(1, 5)]
    outcomes = [await digest_at(db_sessions, task, seen, policy, after_s=0) for task in tasks]
    # The 3rd reply since the last digest is due though newer replies keep coming.
    assert outcomes[:2] == ["done", "done"]
    assert isinstance(outcomes[2], ConversationInsights)
    assert outcomes[3] == pytest.approx(60)
    assert len(seen) == 2
