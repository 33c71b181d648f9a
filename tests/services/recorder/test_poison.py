"""Events the database refuses: normalised when the text is the problem, else dead-lettered without blocking anyone."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from nats.aio.msg import Msg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.nats_embedded import EmbeddedNats
from services.recorder.app import running
from services.recorder.handlers import DURABLES
from shared import dlq
from shared.bus import ensure_streams
from shared.consumer import BatchConsumer
from shared.db import Message, StoredEvent, make_engine, make_sessionmaker
from shared.db.migrate import upgrade_head
from shared.events import UserMessage
from shared.settings import Settings
from shared.subjects import CONV_STREAM, Channel, dlq_pattern
from tests.conftest import TEST_SECRET
from tests.services.recorder.jetstream import polled, publish, wait_consumed

pytestmark = pytest.mark.connected


@pytest.fixture
async def nc(own_nats: EmbeddedNats) -> AsyncIterator[nats.NATS]:
    client = await nats.connect(own_nats.url)
    await ensure_streams(client.jetstream())
    yield client
    await client.drain()


def settings_for(own_nats: EmbeddedNats, url: str, tmp_path: Path, **changes: object) -> Settings:
    return Settings(
        environment="test", secret_key=TEST_SECRET, nats_url=own_nats.url, database_url=url, var_dir=tmp_path,
        **changes,  # type: ignore[arg-type]
    )  # fmt: skip


def visitor_message(conv: str, n: int, text: str, visitor: str = "v_p") -> UserMessage:
    return UserMessage(
        tenant_id="acme", conversation_id=conv, message_id=f"{conv[:8]}-u{n}", client_id=f"c{n}", visitor_id=visitor,
        text=text,
    )  # fmt: skip


async def texts(engine: AsyncEngine, conv: str) -> list[str]:
    async with make_sessionmaker(engine)() as s:
        rows = await s.scalars(select(Message.text).where(Message.conversation_id == conv).order_by(Message.seq))
        return list(rows)


async def recorded(engine: AsyncEngine, conv: str, count: int) -> bool:
    return len(await texts(engine, conv)) >= count


async def test_text_the_database_cannot_hold_is_stored_with_replacement_characters(
    nc: nats.NATS, own_nats: EmbeddedNats, migrated_url: str, db_engine: AsyncEngine, tmp_path: Path
) -> None:
    js = nc.jetstream()
    conv = uuid.uuid4().hex
    await publish(js, visitor_message(conv, 1, "a\x00b"))
    # A lone surrogate cannot come from our own publishers (pydantic refuses to encode it), only as a JSON escape.
    raw = visitor_message(conv, 2, "placeholder").model_dump(mode="json")
    body = json.dumps(raw | {"text": "c\ud800d"}).encode()
    await js.publish(raw_subject := visitor_message(conv, 2, "").subject, body, stream=CONV_STREAM)
    assert raw_subject.endswith("message.user")
    async with running(settings_for(own_nats, migrated_url, tmp_path), db_engine):
        await wait_consumed(js, CONV_STREAM, DURABLES[Channel.CONV])
    assert await texts(db_engine, conv) == ["a\ufffdb", "c\ufffdd"]
    async with make_sessionmaker(db_engine)() as s:
        payloads = (await s.scalars(select(StoredEvent.payload).where(StoredEvent.conversation_id == conv))).all()
    assert sorted(p["text"] for p in payloads) == ["a\ufffdb", "c\ufffdd"]


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_a_poison_event_is_dead_lettered_and_never_holds_up_other_conversations(
    nc: nats.NATS,
    own_nats: EmbeddedNats,
    migrated_url: str,
    db_engine: AsyncEngine,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    js = nc.jetstream()
    poisoned, other = uuid.uuid4().hex, uuid.uuid4().hex
    # Postgres refuses a visitor id longer than its column (64): no retry can store this event.
    poison = visitor_message(poisoned, 1, "hello", visitor="v" * 100)
    order: list[str] = []
    letters: list[Msg] = []

    async def on_letter(msg: Msg) -> None:
        letters.append(msg)
        order.append("dead-lettered")

    await nc.subscribe(dlq_pattern(DURABLES[Channel.CONV]), cb=on_letter)
    poison_seq = await publish(js, poison)
    for n in range(3):  # behind it in the stream, in the same first batch
        await publish(js, visitor_message(other, n, f"question {n}"))
    settings = settings_for(own_nats, migrated_url, tmp_path, consumer_max_tries=3, consumer_retry_delay_s=0.5)
    caplog.set_level(logging.INFO)
    async with running(settings, db_engine):
        await polled(lambda: recorded(db_engine, other, 3), "the other conversation recorded")
        order.append("others recorded")
        await publish(js, visitor_message(other, 3, "asked while the poison one is retried"))
        await polled(lambda: recorded(db_engine, other, 4), "the later message recorded")
        order.append("a later one recorded")
        await wait_consumed(js, CONV_STREAM, DURABLES[Channel.CONV])

    assert order == ["others recorded", "a later one recorded", "dead-lettered"]
    [letter] = letters
    headers = letter.headers or {}
    assert json.loads(letter.data)["id"] == poison.id
    assert (headers[dlq.SUBJECT], headers[dlq.SEQ], headers[dlq.DELIVERIES]) == (poison.subject, str(poison_seq), "3")
    assert headers[dlq.ORIGINAL_PREFIX + "Nats-Msg-Id"] == poison.id
    assert headers[dlq.ERROR] == "StringDataRightTruncationError: value too long for type character varying(64)"
    assert headers[dlq.WHERE].startswith("store.py:")
    assert await texts(db_engine, poisoned) == []
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in loud] == ["shared.dlq"]
    assert loud[0].exc_info is None
    assert poison.subject in loud[0].getMessage()


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_a_database_not_ready_holds_events_back_without_dead_lettering_them(
    nc: nats.NATS, own_nats: EmbeddedNats, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every event fails while the schema is missing: the database's fault, so none is dead-lettered."""
    js = nc.jetstream()
    conv = uuid.uuid4().hex
    letters = await nc.subscribe(dlq_pattern(DURABLES[Channel.CONV]))
    engine = make_engine(database_url)  # an empty schema: no tables yet
    settings = settings_for(own_nats, database_url, tmp_path, consumer_max_tries=1)
    try:
        async with running(settings, engine) as consumers:
            await publish(js, visitor_message(conv, 1, "sent while the database is not ready"))
            await polled(lambda: has_failed(consumers[0]), "a failed try")
            await upgrade_head(database_url)
            await polled(lambda: recorded(engine, conv, 1), "the event recorded once the schema is there")
        assert consumers[0].stats.dead_lettered == 0
    finally:
        await engine.dispose()
    assert letters.pending_msgs == 0
    assert any("UndefinedTableError" in r.getMessage() for r in caplog.records)


async def has_failed(consumer: BatchConsumer) -> bool:
    return consumer.stats.transient > 0
