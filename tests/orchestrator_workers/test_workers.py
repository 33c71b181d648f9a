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
from orchestrator.workers.handlers import DURABLES, ENQUEUER
from orchestrator.workers.webhooks import WebhookPolicy
from services.nats_embedded import EmbeddedNats
from services.recorder.app import running as recorder_running
from shared.bus import ensure_streams
from shared.db import Conversation, WebhookDelivery, make_sessionmaker
from shared.events import ConversationInsights, MessageCompleted, UserMessage, parse_event
from shared.settings import Settings
from shared.subjects import CONV_STREAM, Channel, subject
from shared.tasks import TASK_STREAM
from shared.tenants import Tenant, TenantDirectory
from tests.conftest import TEST_SECRET
from tests.orchestrator_workers.webhook_server import WebhookServer
from tests.services.recorder.jetstream import publish, wait_consumed
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


async def test_webhook_gives_up_after_max_attempts(
    js: JetStreamContext, worker_settings: Settings, db_engine: AsyncEngine
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
            await publish(js, reply)
            await wait_tasks_done(js)
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
