"""Recorder and workers against a real nats-server and both databases: digest stored, webhook retried and signed."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from nats.js import JetStreamContext
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks import Webhook

from orchestrator.workers.app import running as workers_running
from orchestrator.workers.digest import Digest, Turn, offline_digest
from orchestrator.workers.handlers import DURABLES, ENQUEUER
from orchestrator.workers.webhooks import WebhookPolicy
from services.nats_embedded import EmbeddedNats
from services.recorder.app import running as recorder_running
from shared import dlq
from shared.bus import ensure_streams
from shared.db import Conversation, WebhookDelivery, make_sessionmaker
from shared.events import ConversationInsights, MessageCompleted, UserMessage, parse_event
from shared.settings import Settings
from shared.subjects import CONV_STREAM, Channel, dlq_pattern, subject
from shared.tasks import TASK_STREAM, TaskKind, task_subject
from shared.tenants import Tenant, TenantDirectory
from tests.conftest import TEST_SECRET
from tests.orchestrator_workers.webhook_server import WebhookServer
from tests.services.recorder.jetstream import polled, publish, wait_consumed
from tests.shared.webhook_fixtures import HOOK_SECRET, resolver  # noqa: F401

pytestmark = pytest.mark.connected


@pytest.fixture
async def js(own_nats: EmbeddedNats) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(own_nats.url)
    await ensure_streams(nc.jetstream())
    yield nc.jetstream()
    await nc.drain()


@pytest.fixture
def worker_settings(own_nats: EmbeddedNats, migrated_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test", secret_key=TEST_SECRET, nats_url=own_nats.url, database_url=migrated_url, var_dir=tmp_path
    )


async def wait_tasks_done(js: JetStreamContext, timeout: float = 15.0) -> None:
    """Work-queue retention: the task stream is empty once every task was acked (or given up)."""
    await wait_consumed(js, CONV_STREAM, ENQUEUER)
    deadline = time.monotonic() + timeout
    while (state := (await js.stream_info(TASK_STREAM)).state).messages:
        if time.monotonic() > deadline:
            consumers = [await js.consumer_info(TASK_STREAM, d) for d in DURABLES.values()]
            consumers.append(await js.consumer_info(CONV_STREAM, "recorder-conv"))
            raise AssertionError(f"Expected every post-reply task to be done, got {state} with {consumers}")
        await asyncio.sleep(0.02)


async def test_completed_turn_gets_a_digest_and_a_signed_retried_webhook(
    js: JetStreamContext,
    worker_settings: Settings,
    db_engine: AsyncEngine,
    own_nats: EmbeddedNats,
    resolver,  # noqa: F811
) -> None:
    tenant_id, conv = f"t{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    user = UserMessage(
        tenant_id=tenant_id,
        conversation_id=conv,
        message_id="u1",
        client_id="c1",
        visitor_id="v_w",
        text="How do I return my shoes?",
    )
    reply = MessageCompleted(
        tenant_id=tenant_id, conversation_id=conv, message_id="a1", role="assistant", reply_to="u1",
        text="Shoes can be returned within thirty days. Print the return label from your account page.",
    )  # fmt: skip
    policy = WebhookPolicy(max_attempts=4, base_delay_s=0.05, timeout_s=5.0)

    async with WebhookServer(statuses=[503, 200]) as hook:
        # A made-up name the test resolves in-process to the loopback receiver, allowed by the tenant.
        resolver({"receiver.test": [["127.0.0.1"]]})
        hook_url = hook.url.replace("127.0.0.1", "receiver.test")
        tenant = Tenant(
            id=tenant_id, name="T", widget_key="k", webhook_url=hook_url, webhook_secret=HOOK_SECRET,
            webhook_allowed_hosts=["receiver.test"],
        )  # fmt: skip
        tenants = TenantDirectory(tenants=[tenant])
        async with (
            recorder_running(worker_settings, db_engine),
            workers_running(worker_settings, db_engine, tenants=tenants, policy=policy),
        ):
            watcher = await nats.connect(own_nats.url)
            insights_sub = await watcher.subscribe(subject(Channel.OPS, tenant_id, conv, "conversation.insights"))
            await publish(js, user)
            reply_seq = await publish(js, reply)
            await asyncio.wait_for(hook.succeeded.wait(), 15)
            await wait_tasks_done(js)
            insights = parse_event((await insights_sub.next_msg(timeout=15)).data)
            await watcher.close()

    # The first attempt failed (503), the retry succeeded; both carried a valid signature over the same body.
    assert len(hook.received) == 2
    assert hook.received[0].body == hook.received[1].body
    for request in hook.received:  # what a receiver does, with the standardwebhooks package
        assert Webhook(HOOK_SECRET).verify(request.body, request.headers) == json.loads(request.body)
        assert request.headers["webhook-id"] == reply.id
        assert request.headers["host"] == hook_url.split("/")[2]
    assert [r.headers["x-switchboard-attempt"] for r in hook.received] == ["1", "2"]
    body = json.loads(hook.received[1].body)
    assert (body["id"], body["seq"], body["message"]["text"]) == (reply.id, reply_seq, reply.text)

    # The digest is announced on the bus too, for agent consoles.
    assert isinstance(insights, ConversationInsights)
    assert (insights.title, insights.message_id, insights.turns) == ("How do I return my shoes?", "a1", 1)

    sessions = make_sessionmaker(db_engine)
    async with sessions() as s:
        deliveries = (
            await s.scalars(select(WebhookDelivery).where(WebhookDelivery.event_id == reply.id).order_by("attempt"))
        ).all()
        assert [(d.attempt, d.ok, d.status_code, d.error) for d in deliveries] == [
            (1, False, 503, "HTTP 503 Service Unavailable"),
            (2, True, 200, None),
        ]
        assert {d.webhook_type for d in deliveries} == {"turn.completed"}
        conversation = await s.get(Conversation, conv)
        assert conversation is not None
        assert conversation.title == "How do I return my shoes?"
        assert conversation.summary
        assert "return" in conversation.summary.lower()
        assert "shoes" in conversation.tags
        assert conversation.summary_seq == reply_seq


async def test_webhook_gives_up_after_max_attempts_into_the_dead_letters(
    js: JetStreamContext, worker_settings: Settings, db_engine: AsyncEngine, own_nats: EmbeddedNats
) -> None:
    tenant_id, conv = f"t{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    reply = MessageCompleted(tenant_id=tenant_id, conversation_id=conv, message_id="a1", role="assistant", text="Hi")
    policy = WebhookPolicy(max_attempts=3, base_delay_s=0.02, timeout_s=5.0)
    async with WebhookServer(statuses=[500]) as hook:
        tenants = TenantDirectory(
            tenants=[
                Tenant(
                    id=tenant_id, name="T", widget_key="k", webhook_url=hook.url, webhook_secret=HOOK_SECRET,
                    webhook_allowed_hosts=["127.0.0.1"],
                )
            ]
        )  # fmt: skip
        async with (
            recorder_running(worker_settings, db_engine),
            workers_running(worker_settings, db_engine, tenants=tenants, policy=policy),
        ):
            watcher = await nats.connect(own_nats.url)
            letters = await watcher.subscribe(dlq_pattern(DURABLES[TaskKind.WEBHOOK]))
            await publish(js, reply)
            await wait_tasks_done(js)
            letter = await letters.next_msg(timeout=15)
            await watcher.close()
    assert json.loads(letter.data)["event_id"] == reply.id
    assert (letter.headers or {})[dlq.ERROR] == "RuntimeError: webhook failed 3 times, last status 500"
    assert len(hook.received) == 3
    async with make_sessionmaker(db_engine)() as s:
        attempts = (await s.scalars(select(WebhookDelivery.attempt).where(WebhookDelivery.event_id == reply.id))).all()
        assert sorted(attempts) == [1, 2, 3]


async def test_a_refused_target_is_recorded_once_and_never_called(
    js: JetStreamContext, worker_settings: Settings, db_engine: AsyncEngine
) -> None:
    """A loopback URL the tenant did not allow: one refused attempt recorded, the task given up, no request."""
    tenant_id, conv = f"t{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    reply = MessageCompleted(tenant_id=tenant_id, conversation_id=conv, message_id="a1", role="assistant", text="Hi")
    policy = WebhookPolicy(max_attempts=3, base_delay_s=0.02, timeout_s=5.0)
    async with WebhookServer(statuses=[204]) as hook:
        tenant = Tenant(id=tenant_id, name="T", widget_key="k", webhook_url=hook.url, webhook_secret=HOOK_SECRET)
        async with (
            recorder_running(worker_settings, db_engine),
            workers_running(worker_settings, db_engine, tenants=TenantDirectory(tenants=[tenant]), policy=policy),
        ):
            await publish(js, reply)
            await wait_tasks_done(js)
    assert hook.received == []
    async with make_sessionmaker(db_engine)() as s:
        rows = (await s.scalars(select(WebhookDelivery).where(WebhookDelivery.event_id == reply.id))).all()
    assert [(r.attempt, r.ok, r.status_code) for r in rows] == [(1, False, None)]
    assert rows[0].error is not None
    assert rows[0].error.startswith("refused: 127.0.0.1, a loopback address")


async def test_ten_quick_turns_get_a_title_at_once_and_one_summary_when_the_conversation_stops(
    js: JetStreamContext, worker_settings: Settings, db_engine: AsyncEngine
) -> None:
    conv = uuid.uuid4().hex
    digests: list[list[Turn]] = []

    async def counting(turns: list[Turn]) -> Digest:
        digests.append(turns)
        return offline_digest(turns)

    async def digested_through(seq: int) -> bool:
        async with make_sessionmaker(db_engine)() as s:
            row = await s.get(Conversation, conv)
            return row is not None and row.summary_seq >= seq

    settings = worker_settings.model_copy(update={"summary_idle_s": 1.0, "summary_every_turns": 20})
    async with (
        recorder_running(settings, db_engine),
        workers_running(settings, db_engine, tenants=TenantDirectory(tenants=[]), summarize=counting),
    ):
        seqs = []
        for n in range(10):
            user = UserMessage(
                tenant_id="acme", conversation_id=conv, message_id=f"{conv[:6]}u{n}", client_id=f"c{n}",
                visitor_id="v_q", text=f"Question {n} about returning shoes?",
            )  # fmt: skip
            reply = MessageCompleted(
                tenant_id="acme", conversation_id=conv, message_id=f"{conv[:6]}a{n}", role="assistant",
                text=f"Answer {n}: shoes can be returned within thirty days.",
            )  # fmt: skip
            await publish(js, user)
            seqs.append(await publish(js, reply))
            if n == 0:  # the title comes with the first reply, before the next turn
                await polled(lambda: digested_through(seqs[0]), "the first reply's digest")
        # The conversation stops: it still gets its summary, once it has been quiet.
        await polled(lambda: digested_through(seqs[-1]), "the summary after the last reply")
        await wait_tasks_done(js)

    assert [len(turns) for turns in digests] == [2, 20]  # not one digest per turn
    async with make_sessionmaker(db_engine)() as s:
        row = await s.get(Conversation, conv)
        assert row is not None
        assert row.title == "Question 0 about returning shoes?"
        assert "shoes" in row.tags


async def test_a_completed_reply_that_cannot_be_planned_is_dead_lettered_and_the_next_one_still_runs(
    js: JetStreamContext, worker_settings: Settings, db_engine: AsyncEngine, own_nats: EmbeddedNats
) -> None:
    conv = uuid.uuid4().hex
    good = MessageCompleted(
        tenant_id="acme", conversation_id=conv, message_id=f"{conv[:6]}a1", role="assistant", text="Hi"
    )
    watcher = await nats.connect(own_nats.url)
    letters = await watcher.subscribe(dlq_pattern(ENQUEUER))
    settings = worker_settings.model_copy(update={"consumer_max_tries": 2, "consumer_retry_delay_s": 0.2})
    async with (
        recorder_running(settings, db_engine),
        workers_running(settings, db_engine, tenants=TenantDirectory(tenants=[])),
    ):
        broken = good.model_dump(mode="json") | {"id": "broken-1", "message_id": None}
        del broken["tenant_id"]  # nothing to plan a task for
        await js.publish(good.subject, json.dumps(broken).encode(), stream=CONV_STREAM)
        await publish(js, good)
        await wait_tasks_done(js)
        letter = await letters.next_msg(timeout=15)
    await watcher.close()
    assert json.loads(letter.data)["id"] == "broken-1"
    assert (letter.headers or {})[dlq.DELIVERIES] == "2"
    assert (letter.headers or {})[dlq.ERROR] == "KeyError: 'tenant_id'"
    async with make_sessionmaker(db_engine)() as s:
        row = await s.get(Conversation, conv)
        assert row is not None
        assert row.title == "New conversation"  # the good reply was digested


async def test_a_webhook_task_that_does_not_decode_is_dead_lettered_at_once(
    js: JetStreamContext, worker_settings: Settings, db_engine: AsyncEngine, own_nats: EmbeddedNats
) -> None:
    """FastStream validates the task before the handler: unsettled, it came back every ack wait, forever."""
    junk = b'{"kind": "webhook", "tenant_id": ["not", "an", "id"]}'
    async with workers_running(worker_settings, db_engine, tenants=TenantDirectory(tenants=[])):
        watcher = await nats.connect(own_nats.url)
        letters = await watcher.subscribe(dlq_pattern(DURABLES[TaskKind.WEBHOOK]))
        await js.publish(task_subject(TaskKind.WEBHOOK, "acme", uuid.uuid4().hex), junk)
        letter = await letters.next_msg(timeout=15)
        await watcher.close()
    assert letter.data == junk
    assert (letter.headers or {})[dlq.DELIVERIES] == "1"
