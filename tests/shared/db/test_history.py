"""conversation_events: visitor-visible only, seq order, forward and backward pages, tenant-scoped."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.recorder.store import record_event
from shared.db.history import conversation_events
from shared.events import MessageCompleted, Notice, SentimentScored, UserMessage

Sessions = async_sessionmaker[AsyncSession]
TENANT = "acme"


async def seed(sessions: Sessions, conv: str) -> list[int]:
    """Five visible events at non-dense seqs, with internal events interleaved; returns the visible seqs."""
    visible = []
    async with sessions.begin() as session:
        for i, seq in enumerate([3, 8, 9, 15, 40]):
            event = (
                UserMessage(
                    tenant_id=TENANT, conversation_id=conv, message_id=f"m{i}", client_id=f"c{i}", visitor_id="v_h",
                    text=f"q{i}",
                )
                if i % 2 == 0
                else MessageCompleted(
                    tenant_id=TENANT, conversation_id=conv, message_id=f"m{i}", role="assistant", text="a"
                )
            )  # fmt: skip
            await record_event(session, event.model_dump(mode="json"), seq, event.channel)
            visible.append(seq)
            ops = SentimentScored(tenant_id=TENANT, conversation_id=conv, message_id=f"m{i}", score=0, mood=0)
            await record_event(session, ops.model_dump(mode="json"), seq + 1, ops.channel)
        other = Notice(tenant_id=TENANT, conversation_id=uuid.uuid4().hex, code="x", text="other conversation")
        await record_event(session, other.model_dump(mode="json"), 10, other.channel)
    return visible


async def seqs(sessions: Sessions, conv: str, **kwargs: int) -> list[int]:
    async with sessions() as session:
        return [e.seq for e in await conversation_events(session, TENANT, conv, **kwargs)]


async def test_pages_forward_and_backward_through_visible_events(db_sessions: Sessions) -> None:
    conv = uuid.uuid4().hex
    assert await seed(db_sessions, conv) == [3, 8, 9, 15, 40]
    assert await seqs(db_sessions, conv) == [3, 8, 9, 15, 40]
    assert await seqs(db_sessions, conv, limit=2) == [15, 40]  # the newest page first
    assert await seqs(db_sessions, conv, before_seq=15, limit=2) == [8, 9]
    assert await seqs(db_sessions, conv, after_seq=3, limit=2) == [8, 9]
    assert await seqs(db_sessions, conv, after_seq=9) == [15, 40]
    assert await seqs(db_sessions, conv, after_seq=3, before_seq=40) == [8, 9, 15]
    assert await seqs(db_sessions, conv, after_seq=40) == []


async def test_payloads_are_the_events_with_their_seq(db_sessions: Sessions) -> None:
    conv = uuid.uuid4().hex
    await seed(db_sessions, conv)
    async with db_sessions() as session:
        first = (await conversation_events(session, TENANT, conv, limit=1, after_seq=0))[0]
    assert first.payload["type"] == "message.user"
    assert first.payload["text"] == "q0"
    assert first.payload["seq"] == 3


async def test_another_tenant_sees_nothing(db_sessions: Sessions) -> None:
    conv = uuid.uuid4().hex
    await seed(db_sessions, conv)
    async with db_sessions() as session:
        assert list(await conversation_events(session, "globex", conv)) == []


async def test_limit_is_bounded(db_sessions: Sessions) -> None:
    async with db_sessions() as session:
        with pytest.raises(ValueError, match="limit"):
            await conversation_events(session, TENANT, "c", limit=0)
