"""The recorder against a real nats-server and both databases: durable, resumable, idempotent."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from nats.js import JetStreamContext
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.nats_embedded import EmbeddedNats
from services.recorder.app import running
from services.recorder.handlers import DURABLES
from shared.bus import ensure_streams
from shared.db import Conversation, Message, StoredEvent, make_sessionmaker
from shared.events import HandoffQueued, MessageCompleted, SentimentScored, UserMessage
from shared.settings import Settings
from shared.subjects import CONV_STREAM, OPS_STREAM, Channel
from tests.conftest import TEST_SECRET
from tests.services.recorder.jetstream import publish, wait_consumed

pytestmark = pytest.mark.connected


@pytest.fixture
async def js(own_nats: EmbeddedNats) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(own_nats.url)
    await ensure_streams(nc.jetstream())
    yield nc.jetstream()
    await nc.drain()


@pytest.fixture
def recorder_settings(own_nats: EmbeddedNats, migrated_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test", secret_key=TEST_SECRET, nats_url=own_nats.url, database_url=migrated_url, var_dir=tmp_path
    )


async def wait_recorded(js: JetStreamContext) -> None:
    await wait_consumed(js, CONV_STREAM, DURABLES[Channel.CONV])
    await wait_consumed(js, OPS_STREAM, DURABLES[Channel.OPS])


def turn(tenant: str, conv: str, n: int) -> list[UserMessage | MessageCompleted]:
    return [
        UserMessage(
            tenant_id=tenant, conversation_id=conv, message_id=f"u{n}", client_id=f"c{n}", visitor_id="v_rec",
            text=f"question {n}",
        ),
        MessageCompleted(
            tenant_id=tenant, conversation_id=conv, message_id=f"a{n}", role="assistant", text=f"answer {n}",
            reply_to=f"u{n}",
        ),
    ]  # fmt: skip


async def test_a_stopped_recorder_finds_its_work_waiting(
    js: JetStreamContext, recorder_settings: Settings, db_engine: AsyncEngine
) -> None:
    tenant, conv = "acme", uuid.uuid4().hex
    seqs = {}
    # Published before any recorder ran (first test in the module: its durables do not exist yet).
    for event in turn(tenant, conv, 1):
        seqs[event.message_id] = await publish(js, event)
    async with running(recorder_settings, db_engine):
        await wait_recorded(js)
    # Published while it is stopped again: its durables remember where it was.
    for event in [*turn(tenant, conv, 2), HandoffQueued(tenant_id=tenant, conversation_id=conv, trigger="visitor")]:
        seq = await publish(js, event)
        seqs[getattr(event, "message_id", "handoff")] = seq
    await publish(js, SentimentScored(tenant_id=tenant, conversation_id=conv, message_id="u2", score=-0.9, mood=-0.9))
    async with running(recorder_settings, db_engine):
        await wait_recorded(js)

    sessions = make_sessionmaker(db_engine)
    async with sessions() as s:
        messages = (await s.scalars(select(Message).where(Message.conversation_id == conv).order_by(Message.seq))).all()
        assert [(m.id, m.role, m.text, m.seq) for m in messages] == [
            ("u1", "visitor", "question 1", seqs["u1"]),
            ("a1", "assistant", "answer 1", seqs["a1"]),
            ("u2", "visitor", "question 2", seqs["u2"]),
            ("a2", "assistant", "answer 2", seqs["a2"]),
        ]
        conversation = await s.get(Conversation, conv)
        assert conversation is not None
        assert (conversation.state, conversation.last_seq, conversation.visitor_id) == (
            "queued", seqs["handoff"], "v_rec",
        )  # fmt: skip
        types = (await s.scalars(select(StoredEvent.type).where(StoredEvent.conversation_id == conv))).all()
        assert sorted(types) == sorted(
            ["message.user", "message.completed"] * 2 + ["handoff.queued", "sentiment.scored"]
        )


async def test_the_same_event_stored_twice_in_the_stream_is_recorded_once(
    js: JetStreamContext, recorder_settings: Settings, db_engine: AsyncEngine
) -> None:
    tenant, conv = "acme", uuid.uuid4().hex
    event = turn(tenant, conv, 1)[0]
    first = await publish(js, event)
    # Outside JetStream's duplicate window (no Nats-Msg-Id): a second copy lands in the stream.
    second = await publish(js, event, headers={})
    assert second > first
    async with running(recorder_settings, db_engine):
        await wait_recorded(js)
    async with make_sessionmaker(db_engine)() as s:
        count = await s.scalar(select(func.count()).select_from(StoredEvent).where(StoredEvent.conversation_id == conv))
        assert count == 1
        stored = await s.get(StoredEvent, event.id)
        assert stored is not None
        assert stored.seq == first


async def test_malformed_messages_are_dropped_not_retried_forever(
    js: JetStreamContext, recorder_settings: Settings, db_engine: AsyncEngine
) -> None:
    conv = uuid.uuid4().hex
    await js.publish(f"sb.conv.acme.{conv}.junk", b"not json", stream=CONV_STREAM)
    await js.publish(f"sb.conv.acme.{conv}.junk", b'{"type": "junk"}', stream=CONV_STREAM)  # no ids
    good = turn("acme", conv, 1)[0]
    await publish(js, good)
    async with running(recorder_settings, db_engine):
        await wait_recorded(js)  # acked (terminated) rather than left pending
    async with make_sessionmaker(db_engine)() as s:
        types = (await s.scalars(select(StoredEvent.type).where(StoredEvent.conversation_id == conv))).all()
        assert types == ["message.user"]


async def test_the_ack_wait_is_a_setting_applied_to_existing_durables(
    js: JetStreamContext, recorder_settings: Settings, db_engine: AsyncEngine
) -> None:
    async with running(recorder_settings, db_engine):
        info = await js.consumer_info(CONV_STREAM, DURABLES[Channel.CONV])
        assert info.config.ack_wait == 30.0
    for ack_wait in (7.0, 12.5):
        async with running(recorder_settings.model_copy(update={"recorder_ack_wait_s": ack_wait}), db_engine):
            for channel, stream in ((Channel.CONV, CONV_STREAM), (Channel.OPS, OPS_STREAM)):
                info = await js.consumer_info(stream, DURABLES[channel])
                # Retries are the recorder's to count (then a dead letter), never the server's silent drop.
                assert (info.config.ack_wait, info.config.max_deliver) == (ack_wait, -1)


async def test_a_backlog_is_written_in_batches_each_event_once(
    js: JetStreamContext, recorder_settings: Settings, db_engine: AsyncEngine
) -> None:
    tenant, convs = "acme", [uuid.uuid4().hex for _ in range(6)]
    # Message ids are global: each conversation's own (turn() numbers them per conversation only).
    events = [
        event.model_copy(update={"message_id": f"{conv[:6]}{event.message_id}"})
        for n in range(10)
        for conv in convs
        for event in turn(tenant, conv, n)
    ]
    for event in events:
        await publish(js, event)
    async with running(recorder_settings.model_copy(update={"recorder_batch_size": 50}), db_engine) as consumers:
        await wait_recorded(js)
        conv_consumer = consumers[0]
    assert conv_consumer.durable == DURABLES[Channel.CONV]
    assert conv_consumer.stats.processed == len(events)
    assert conv_consumer.stats.batches <= len(events) // 10
    async with make_sessionmaker(db_engine)() as s:
        for conv in convs:
            ids = (
                await s.scalars(select(Message.id).where(Message.conversation_id == conv).order_by(Message.seq))
            ).all()
            assert ids == [f"{conv[:6]}{role}{n}" for n in range(10) for role in ("u", "a")]


async def test_every_component_kind_round_trips_through_the_bus_and_the_recorder(
    js: JetStreamContext, recorder_settings: Settings, db_engine: AsyncEngine
) -> None:
    from shared.db.history import conversation_events
    from shared.events import parse_event
    from tests.component_kinds import every_kind

    conv = uuid.uuid4().hex
    sent = every_kind("acme", conv)
    for event in sent:
        await publish(js, event)
    async with running(recorder_settings, db_engine):
        await wait_recorded(js)
    async with make_sessionmaker(db_engine)() as s:
        stored = await conversation_events(s, "acme", conv)
    back = [parse_event(json.dumps(e.payload)) for e in stored]
    assert [type(e) for e in back] == [type(e) for e in sent]
    for original, recorded in zip(sent, back, strict=True):
        assert recorded.model_dump(exclude={"seq"}) == original.model_dump(exclude={"seq"})
