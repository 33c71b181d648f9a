"""store.record_event on both backends: rows on first sight, messages, state, idempotency, ordering."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.recorder.store import record_event
from shared.db import Conversation, Message, StoredEvent, TenantRow, Visitor
from shared.events import (
    Author,
    HandoffAccepted,
    HandoffEnded,
    HandoffQueued,
    MessageCancelled,
    MessageCompleted,
    MessageCreated,
    SentimentScored,
    Source,
    UserMessage,
)
from shared.subjects import Channel

Sessions = async_sessionmaker[AsyncSession]


def ids() -> tuple[str, str]:
    return f"t{uuid.uuid4().hex[:8]}", uuid.uuid4().hex


async def record(sessions: Sessions, event: object, seq: int) -> bool:
    payload = event.model_dump(mode="json")  # type: ignore[attr-defined]
    async with sessions.begin() as session:
        return await record_event(session, payload, seq, event.channel)  # type: ignore[attr-defined]


async def test_first_user_message_creates_tenant_visitor_conversation_message(db_sessions: Sessions) -> None:
    tenant, conv = ids()
    msg = UserMessage(
        tenant_id=tenant, conversation_id=conv, message_id="m1", client_id="c1", visitor_id="v_1", text="Hi"
    )
    assert await record(db_sessions, msg, 7)
    async with db_sessions() as s:
        assert (await s.get(TenantRow, tenant)) is not None
        visitor = await s.get(Visitor, "v_1")
        assert visitor is not None
        assert visitor.tenant_id == tenant
        row = await s.get(Conversation, conv)
        assert row is not None
        assert (row.visitor_id, row.state, row.last_seq) == ("v_1", "ai", 7)
        message = await s.get(Message, "m1")
        assert message is not None
        assert (message.role, message.text, message.status, message.seq) == (
            "visitor",
            "Hi",
            "completed",
            7,
        )
        event = await s.get(StoredEvent, msg.id)
        assert event is not None
        assert event.payload["seq"] == 7
        assert event.channel == "conv"
        assert event.payload["text"] == "Hi"


async def test_redelivered_event_changes_nothing(db_sessions: Sessions) -> None:
    tenant, conv = ids()
    done = MessageCompleted(
        tenant_id=tenant, conversation_id=conv, message_id="a1", role="assistant", text="Answer",
        sources=[Source(id="p1", title="Doc", snippet="text")], reply_to="m1",
    )  # fmt: skip
    assert await record(db_sessions, done, 10)
    assert not await record(db_sessions, done, 10)
    # The same event id stored again under another seq (re-published without dedupe) is still one event.
    assert not await record(db_sessions, done, 12)
    async with db_sessions() as s:
        assert (
            await s.scalar(select(func.count()).select_from(StoredEvent).where(StoredEvent.conversation_id == conv))
            == 1
        )
        message = await s.get(Message, "a1")
        assert message is not None
        assert message.seq == 10
        assert message.sources[0]["id"] == "p1"
        assert (await s.get(Conversation, conv)).last_seq == 10  # type: ignore[union-attr]


async def test_cancelled_reply_takes_role_and_author_from_its_created_event(db_sessions: Sessions) -> None:
    tenant, conv = ids()
    created = MessageCreated(
        tenant_id=tenant, conversation_id=conv, message_id="a2", role="assistant",
        author=Author(name="Ada"), reply_to="m9",
    )  # fmt: skip
    cancelled = MessageCancelled(tenant_id=tenant, conversation_id=conv, message_id="a2", reason="agent", text="Half")
    await record(db_sessions, created, 3)
    await record(db_sessions, cancelled, 5)
    async with db_sessions() as s:
        message = await s.get(Message, "a2")
        assert message is not None
        assert (message.status, message.text, message.role, message.reply_to) == (
            "cancelled",
            "Half",
            "assistant",
            "m9",
        )
        assert message.author == {"name": "Ada", "avatar_url": None}


async def test_later_event_wins_for_a_message_whatever_the_processing_order(db_sessions: Sessions) -> None:
    tenant, conv = ids()
    completed = MessageCompleted(tenant_id=tenant, conversation_id=conv, message_id="a3", role="assistant", text="Full")
    cancelled = MessageCancelled(tenant_id=tenant, conversation_id=conv, message_id="a3", reason="x", text="Fu")
    await record(db_sessions, completed, 20)
    await record(db_sessions, cancelled, 15)  # older, processed late
    async with db_sessions() as s:
        message = await s.get(Message, "a3")
        assert message is not None
        assert (message.status, message.text) == ("completed", "Full")


async def test_handoff_events_drive_state_in_seq_order(db_sessions: Sessions) -> None:
    tenant, conv = ids()
    agent = Author(name="Sam")

    async def state() -> str:
        async with db_sessions() as s:
            row = await s.get(Conversation, conv)
            assert row is not None
            return row.state

    await record(db_sessions, HandoffQueued(tenant_id=tenant, conversation_id=conv, trigger="visitor"), 2)
    assert await state() == "queued"
    await record(db_sessions, HandoffAccepted(tenant_id=tenant, conversation_id=conv, agent=agent), 4)
    assert await state() == "assigned"
    await record(db_sessions, HandoffEnded(tenant_id=tenant, conversation_id=conv, outcome="back_to_ai"), 6)
    assert await state() == "ai"
    # A stale 'queued' replayed late does not reopen the queue.
    await record(db_sessions, HandoffQueued(tenant_id=tenant, conversation_id=conv, trigger="visitor"), 3)
    assert await state() == "ai"
    await record(db_sessions, HandoffEnded(tenant_id=tenant, conversation_id=conv, outcome="resolved"), 8)
    assert await state() == "resolved"


async def test_ops_events_are_recorded_apart_from_visitor_visible_ones(db_sessions: Sessions) -> None:
    tenant, conv = ids()
    user = UserMessage(
        tenant_id=tenant, conversation_id=conv, message_id="m", client_id="c", visitor_id="v_2", text="x"
    )
    scored = SentimentScored(tenant_id=tenant, conversation_id=conv, message_id="m", score=-0.2, mood=-0.2)
    await record(db_sessions, user, 5)
    # Same number, other stream: both stored, and the conversation's last_seq only follows SB_CONV.
    await record(db_sessions, scored, 5)
    await record(
        db_sessions, SentimentScored(tenant_id=tenant, conversation_id=conv, message_id="m", score=0, mood=0), 99
    )
    async with db_sessions() as s:
        channels = (await s.scalars(select(StoredEvent.channel).where(StoredEvent.conversation_id == conv))).all()
        assert sorted(channels) == ["conv", "ops", "ops"]
        assert (await s.get(Conversation, conv)).last_seq == 5  # type: ignore[union-attr]


async def test_unknown_event_types_are_recorded_raw(db_sessions: Sessions) -> None:
    tenant, conv = ids()
    payload = {"type": "survey.answered", "id": "e-1", "tenant_id": tenant, "conversation_id": conv, "score": 9}
    async with db_sessions.begin() as session:
        assert await record_event(session, payload, 41, Channel.CONV)
    async with db_sessions() as s:
        stored = await s.get(StoredEvent, "e-1")
        assert stored is not None
        assert stored.type == "survey.answered"
        assert stored.payload["score"] == 9
