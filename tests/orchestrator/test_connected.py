"""The orchestrator against a real nats-server: streams, KV lock, shared durable consumer, handoff."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import nats
import pytest
from faststream.nats import NatsBroker
from langgraph.checkpoint.memory import InMemorySaver
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from orchestrator.app import running
from orchestrator.config import OrchestratorSettings
from orchestrator.gate import answered_key, lock_key, mode_key
from orchestrator.providers import OpenAIProvider
from orchestrator.turns import Orchestrator
from shared.bus import emit, ensure_streams, make_broker
from shared.events import Author, HandoffAccepted, HandoffEnded, MessageCompleted, UserMessage
from shared.settings import Settings
from shared.subjects import (
    CONV_STREAM,
    CONVERSATION_LOCKS_BUCKET,
    CONVERSATION_STATE_BUCKET,
    Channel,
    kind_pattern,
    stream_state_subject,
    subject,
)
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.scripted_provider import ScriptedProvider
from tests.orchestrator._helpers import watch

pytestmark = pytest.mark.connected


@asynccontextmanager
async def orchestrators(
    settings: Settings, count: int = 1, concurrency: int = 8, **kwargs: Any
) -> AsyncIterator[list[Orchestrator]]:
    """``count`` replicas sharing one durable that only this test uses."""
    options = OrchestratorSettings(
        durable=f"orchestrator-test-{uuid.uuid4().hex[:8]}",
        deliver="new",
        word_delay_s=0,
        concurrency=concurrency,
        delta_interval_s=0,  # one delta per scripted chunk: tests stop a reply at an exact chunk
    )
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(running(settings, options, **kwargs)) for _ in range(count)]


@pytest.fixture
async def bus(connected_settings: Settings) -> AsyncIterator[NatsBroker]:
    """A plain broker to publish with shared.bus.emit, as the gateway does."""
    broker = make_broker(connected_settings)
    await broker.connect()
    yield broker
    await broker.stop()


def user(conversation_id: str, n: int, text: str) -> UserMessage:
    return UserMessage(
        id=f"u-{conversation_id}-{n}",
        tenant_id="acme",
        conversation_id=conversation_id,
        message_id=f"{conversation_id}-m{n}",
        client_id=f"c{n}",
        visitor_id="v1",
        text=text,
    )


async def test_user_message_gets_a_streamed_reply_with_sources(
    connected_settings: Settings, nats_client: nats.NATS, bus: NatsBroker, conversation_id: str
) -> None:
    watcher = await watch(nats_client, conversation_id)
    async with orchestrators(connected_settings):
        await emit(bus, user(conversation_id, 1, "What does express shipping cost?"))
        [completed] = await watcher.until("message.completed")
    [created] = watcher.of("message.created")
    deltas = watcher.of("message.delta")
    assert created.seq is not None
    assert completed.seq is not None
    assert created.seq < completed.seq
    assert created.message_id == completed.message_id  # type: ignore[attr-defined]
    assert created.sources[0].id == "shipping#shipping-options-and-costs"  # type: ignore[attr-defined]
    assert "".join(d.text for d in deltas) == completed.text  # type: ignore[attr-defined]
    assert completed.text.startswith("From our help center:")  # type: ignore[attr-defined]
    assert "$14.95" in completed.text  # type: ignore[attr-defined]
    assert completed.sources == created.sources  # type: ignore[attr-defined]
    # Only the passage the answer quotes is cited (retrieval found more), and the text does not name it.
    assert len(created.sources) > 1  # type: ignore[attr-defined]
    assert completed.citations == ["shipping#shipping-options-and-costs"]  # type: ignore[attr-defined]
    assert "Source" not in completed.text  # type: ignore[attr-defined]
    assert watcher.events.index(created) < watcher.events.index(deltas[0])


async def test_two_replicas_answer_every_message_once_in_order(
    connected_settings: Settings, nats_client: nats.NATS, bus: NatsBroker
) -> None:
    conversations = [uuid.uuid4().hex for _ in range(4)]
    watchers = {c: await watch(nats_client, c) for c in conversations}
    questions = ["What does express shipping cost?", "Do boots run small?", "When are stores open?"]
    # One turn at a time per replica, so both replicas take part.
    async with orchestrators(connected_settings, count=2, concurrency=1) as replicas:
        for n, question in enumerate(questions):
            for c in conversations:
                await emit(bus, user(c, n, question))
        for c in conversations:
            await watchers[c].until("message.completed", len(questions), timeout=30)
    assert [len(r.registry) for r in replicas] == [0, 0]  # nothing left streaming
    answered = [r.stats["completed"] for r in replicas]
    assert sum(answered) == len(conversations) * len(questions)
    assert all(answered), answered
    for c, watcher in watchers.items():
        completed = watcher.of("message.completed")
        assert [e.reply_to for e in completed] == [f"{c}-m{n}" for n in range(len(questions))]  # type: ignore[attr-defined]
        assert len(watcher.of("message.created")) == len(questions)
        seqs = [e.seq for e in completed]
        assert seqs == sorted(seqs)
    # Exactly once also in storage: one completed event per question per conversation.
    js = nats_client.jetstream()
    for c in conversations:
        completed_subject = subject(Channel.CONV, "acme", c, "message.completed")
        info = await js.stream_info(CONV_STREAM, subjects_filter=completed_subject)
        assert info.state.subjects == {completed_subject: len(questions)}


async def test_handoff_accepted_mid_stream_cancels_the_reply(
    connected_settings: Settings, nats_client: nats.NATS, bus: NatsBroker, conversation_id: str
) -> None:
    provider = ScriptedProvider("one two three four five", pause_after=2)
    watcher = await watch(nats_client, conversation_id)
    async with orchestrators(connected_settings, count=2, provider=provider):
        await emit(bus, user(conversation_id, 1, "shipping?"))
        await watcher.until("message.delta", 2)
        # What the handoff service emits when an agent claims (republished on sb.push).
        await emit(bus, HandoffAccepted(tenant_id="acme", conversation_id=conversation_id, agent=Author(name="Sam")))
        [cancelled] = await watcher.until("message.cancelled")
        provider.resume.set()
    assert cancelled.reason == "agent_joined"  # type: ignore[attr-defined]
    assert cancelled.text == "one two"  # type: ignore[attr-defined]
    assert watcher.of("message.completed") == []
    with pytest.raises(NotFoundError):
        await nats_client.jetstream().get_msg(
            CONV_STREAM, subject=subject(Channel.CONV, "acme", conversation_id, "message.completed")
        )


async def test_assigned_conversation_gets_no_reply(
    connected_settings: Settings, nats_client: nats.NATS, bus: NatsBroker, conversation_id: str
) -> None:
    watcher = await watch(nats_client, conversation_id)
    async with orchestrators(connected_settings):
        kv = await nats_client.jetstream().key_value(CONVERSATION_STATE_BUCKET)
        await kv.put(mode_key("acme", conversation_id), b"assigned")
        answered = await kv.watch(answered_key("acme", conversation_id))
        seq = await emit(bus, user(conversation_id, 1, "shipping?"))

        async def handled() -> int:
            async for entry in answered:
                if entry is not None and entry.value and int(entry.value) >= (seq or 0):
                    return int(entry.value)
            return 0

        assert await asyncio.wait_for(handled(), 10) == seq
        await answered.stop()
    assert [e.type for e in watcher.events] == ["message.user"]


async def test_conversation_queued_for_a_human_gets_no_reply(
    connected_settings: Settings, nats_client: nats.NATS, bus: NatsBroker, conversation_id: str
) -> None:
    """Mode 'queued' (the tenant keeps the AI quiet while a human is awaited): acked, not answered."""
    watcher = await watch(nats_client, conversation_id)
    async with orchestrators(connected_settings):
        kv = await nats_client.jetstream().key_value(CONVERSATION_STATE_BUCKET)
        await kv.put(mode_key("acme", conversation_id), b"queued")
        seq = await emit(bus, user(conversation_id, 1, "shipping?"))
        await asyncio.wait_for(handled(kv, conversation_id, seq), 10)
        assert watcher.of("message.created") == []
        await kv.put(mode_key("acme", conversation_id), b"ai")
        await emit(bus, user(conversation_id, 2, "Where are your stores?"))
        [completed] = await watcher.until("message.completed")
    assert completed.reply_to == f"{conversation_id}-m2"  # type: ignore[attr-defined]
    assert len(watcher.of("message.created")) == 1


async def test_stream_state_request_returns_the_text_so_far(
    connected_settings: Settings, nats_client: nats.NATS, bus: NatsBroker, conversation_id: str
) -> None:
    provider = ScriptedProvider("alpha beta gamma delta", pause_after=2)
    watcher = await watch(nats_client, conversation_id)
    async with orchestrators(connected_settings, count=2, provider=provider):
        await emit(bus, user(conversation_id, 1, "shipping?"))
        [created] = await watcher.until("message.created")
        await watcher.until("message.delta", 2)
        reply = await nats_client.request(
            stream_state_subject("acme", conversation_id),
            json.dumps({"message_id": created.message_id}).encode(),  # type: ignore[attr-defined]
            timeout=5,
        )
        provider.resume.set()
        [completed] = await watcher.until("message.completed")
    assert json.loads(reply.data) == {"message_id": completed.message_id, "text": "alpha beta", "done": False}  # type: ignore[attr-defined]
    assert completed.text == "alpha beta gamma delta"  # type: ignore[attr-defined]


async def test_second_message_sees_the_first_whichever_replica_answers(
    connected_settings: Settings, nats_client: nats.NATS, bus: NatsBroker, conversation_id: str
) -> None:
    provider = ScriptedProvider(["Express costs $14.95.", "Yes, to Canada too."])
    shared_history = InMemorySaver()  # stands in for the database checkpointer every replica shares
    watcher = await watch(nats_client, conversation_id)
    async with orchestrators(connected_settings, count=2, provider=provider, checkpointer=shared_history):
        await emit(bus, user(conversation_id, 1, "What does express shipping cost?"))
        await emit(bus, user(conversation_id, 2, "Do you ship to Canada?"))
        await watcher.until("message.completed", 2)
    assert provider.calls[1]["messages"] == [
        {"role": "user", "content": "What does express shipping cost?"},
        {"role": "assistant", "content": "Express costs $14.95."},
        {"role": "user", "content": "Do you ship to Canada?"},
    ]


async def handled(kv: Any, conversation_id: str, seq: int | None) -> None:
    """Wait until the orchestrator has handled (answered or skipped) the visitor message at ``seq``."""
    watcher = await kv.watch(answered_key("acme", conversation_id))
    try:
        async for entry in watcher:
            if entry is not None and entry.value and int(entry.value) >= (seq or 0):
                return
    finally:
        await watcher.stop()


async def test_after_hand_back_the_model_sees_the_agent_and_the_skipped_messages(
    connected_settings: Settings, nats_client: nats.NATS, bus: NatsBroker, conversation_id: str
) -> None:
    watcher = await watch(nats_client, conversation_id)
    kv = await nats_client.jetstream().key_value(CONVERSATION_STATE_BUCKET)
    async with FakeOpenAI(replies=["Express costs $14.95.", "Shipping to Canada is $20."]) as fake:
        provider = OpenAIProvider(fake.base_url, None, "fake-model")
        async with orchestrators(connected_settings, count=2, provider=provider):
            await emit(bus, user(conversation_id, 1, "What does express shipping cost?"))
            await watcher.until("message.completed")
            # An agent takes over (what the handoff service writes), and talks with the visitor.
            await kv.put(mode_key("acme", conversation_id), b"assigned")
            skipped = await emit(bus, user(conversation_id, 2, "Can I talk to a person?"))
            await asyncio.wait_for(handled(kv, conversation_id, skipped), 10)
            agent = Author(name="Sam")
            for n, text in enumerate(["Hi, Sam here. How can I help?", "Yes, we ship to Canada."]):
                if n:
                    skipped = await emit(bus, user(conversation_id, 3, "Do you ship to Canada?"))
                    await asyncio.wait_for(handled(kv, conversation_id, skipped), 10)
                await emit(
                    bus,
                    MessageCompleted(
                        tenant_id="acme",
                        conversation_id=conversation_id,
                        message_id=f"agent-{conversation_id}-{n}",
                        role="agent",
                        text=text,
                        author=agent,
                    ),
                )
            # Hand-back: mode ai again, handoff.ended on the conversation.
            await kv.put(mode_key("acme", conversation_id), b"ai")
            await emit(
                bus,
                HandoffEnded(tenant_id="acme", conversation_id=conversation_id, outcome="back_to_ai", agent=agent),
            )
            await emit(bus, user(conversation_id, 4, "How much is it to Canada?"))
            completed = await watcher.until("message.completed", 4)
        await provider.aclose()
    assert [e.role for e in completed] == ["assistant", "agent", "agent", "assistant"]  # type: ignore[attr-defined]
    assert completed[-1].text == "Shipping to Canada is $20."  # type: ignore[attr-defined]
    assert len(fake.requests) == 2
    assert fake.requests[1]["messages"][1:] == [
        {"role": "user", "content": "What does express shipping cost?"},
        {"role": "assistant", "content": "Express costs $14.95."},
        {"role": "user", "content": "Can I talk to a person?"},
        {"role": "assistant", "content": "[Sam, human agent] Hi, Sam here. How can I help?"},
        {"role": "user", "content": "Do you ship to Canada?"},
        {"role": "assistant", "content": "[Sam, human agent] Yes, we ship to Canada."},
        {"role": "user", "content": "How much is it to Canada?"},
    ]


async def test_message_held_up_past_the_hand_back_is_not_answered(
    connected_settings: Settings, nats_client: nats.NATS, bus: NatsBroker, conversation_id: str
) -> None:
    """The visitor wrote while the agent had the conversation; we only got to it after the hand-back."""
    watcher = await watch(nats_client, conversation_id)
    js = nats_client.jetstream()
    kv = await js.key_value(CONVERSATION_STATE_BUCKET)
    provider = ScriptedProvider("Canada shipping is $20.")
    async with orchestrators(connected_settings, provider=provider):
        locks = await js.key_value(CONVERSATION_LOCKS_BUCKET)
        await locks.create(lock_key("acme", conversation_id), b"someone-else")  # we are busy elsewhere
        await kv.put(mode_key("acme", conversation_id), b"assigned")
        during = await emit(bus, user(conversation_id, 1, "Are you still there?"))
        await kv.put(mode_key("acme", conversation_id), b"ai")
        await emit(bus, HandoffEnded(tenant_id="acme", conversation_id=conversation_id, outcome="back_to_ai"))
        await locks.purge(lock_key("acme", conversation_id))
        await asyncio.wait_for(handled(kv, conversation_id, during), 10)
        await emit(bus, user(conversation_id, 2, "How much is it to Canada?"))
        [completed] = await watcher.until("message.completed")
    assert completed.reply_to == f"{conversation_id}-m2"  # type: ignore[attr-defined]
    assert len(watcher.of("message.created")) == 1
    # Not answered, but not forgotten: the model sees it before the next question.
    assert provider.calls[0]["messages"] == [
        {"role": "user", "content": "Are you still there?"},
        {"role": "user", "content": "How much is it to Canada?"},
    ]


async def test_an_existing_durable_gets_the_configured_ack_wait(
    connected_settings: Settings, nats_client: nats.NATS
) -> None:
    """A durable created by an older build (30 s ack wait) is updated, or a crashed turn stalls 30 s."""
    js = nats_client.jetstream()
    await ensure_streams(js)
    durable = f"orchestrator-old-{uuid.uuid4().hex[:8]}"
    await js.add_consumer(
        CONV_STREAM,
        config=ConsumerConfig(
            durable_name=durable,
            ack_wait=30,
            deliver_policy=DeliverPolicy.NEW,
            filter_subject=kind_pattern(Channel.CONV, "message.user"),
            ack_policy=AckPolicy.EXPLICIT,
        ),
    )
    options = OrchestratorSettings(durable=durable, deliver="new", word_delay_s=0)
    async with running(connected_settings, options):
        info = await js.consumer_info(CONV_STREAM, durable)
    assert info.config.ack_wait == options.ack_wait_s == 2.0
