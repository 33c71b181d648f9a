"""nats-server frozen (SIGSTOP) mid-reply for 8 s then resumed, or restarted: the orchestrator recovers.

Measured before the fix: the next reply started 15 s after it was sent (the issue saw 20-26 s
end to end). The frozen server applied, on resuming, a lock refresh the client had given up
on; the release's "wrong last sequence" error escaped, so the lock stayed for its 10 s TTL
(the redelivered and the next message retried meanwhile), and the interrupted reply, whose
completion timed out, was re-streamed from offset 0. Now: release deletes a lock still ours,
TTL and ack wait are 2 s, and a rerun whose reply is already stored publishes nothing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError

from orchestrator.app import running
from orchestrator.config import OrchestratorSettings
from orchestrator.gate import REPLY_PROGRESS_STREAM
from services.nats_embedded import EmbeddedNats
from shared.bus import emit, ensure_streams, make_broker
from shared.events import UserMessage
from shared.settings import Settings
from tests.orchestrator._helpers import never_rewinds, watch, widget_texts

pytestmark = pytest.mark.connected

FREEZE_S = 8  # the outage the issue measured
LONG_ANSWER = "How long do I have to return an item, and how much does return shipping cost?"


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A nats-server of this test alone: freezing the session's would stall every other test."""
    server = EmbeddedNats(store_dir=tmp_path / "js", log_file=tmp_path / "nats.log")
    server.start()
    yield server
    assert server.proc is not None
    os.kill(server.proc.pid, signal.SIGCONT)  # never leave it stopped
    server.stop()


def question(conversation_id: str, n: int, text: str) -> UserMessage:
    return UserMessage(
        tenant_id="acme",
        conversation_id=conversation_id,
        message_id=f"m{n}",
        client_id=f"c{n}",
        visitor_id="v1",
        text=text,
    )


async def test_replies_resume_soon_after_a_nats_freeze(settings: Settings, own_nats: EmbeddedNats) -> None:
    connected = settings.model_copy(update={"nats_url": own_nats.url})
    conversation_id = uuid.uuid4().hex
    options = OrchestratorSettings(
        durable=f"orchestrator-freeze-{uuid.uuid4().hex[:8]}", deliver="new", word_delay_s=0.05, checkpointer="memory"
    )
    nc = await nats.connect(own_nats.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    await ensure_streams(nc.jetstream())
    watcher = await watch(nc, conversation_id)
    bus = make_broker(connected)
    await bus.connect()
    assert own_nats.proc is not None
    try:
        async with running(connected, options) as orch:
            await emit(bus, question(conversation_id, 1, LONG_ANSWER))
            await watcher.until("message.delta", 3)
            os.kill(own_nats.proc.pid, signal.SIGSTOP)
            await asyncio.sleep(FREEZE_S)  # the fault itself: nothing to wait for
            os.kill(own_nats.proc.pid, signal.SIGCONT)
            resumed_at = time.monotonic()
            [first] = await watcher.until("message.completed", timeout=60)
            interrupted_done = time.monotonic() - resumed_at
            sent = time.monotonic()
            await emit(bus, question(conversation_id, 2, "Where are your stores?"))
            await watcher.until("message.created", 2, timeout=60)
            next_started = time.monotonic() - sent
            completed = await watcher.until("message.completed", 2, timeout=60)
            print(
                f"after a {FREEZE_S}s freeze: the interrupted reply completed {interrupted_done:.2f}s after SIGCONT;"
                f" the next reply started {next_started:.2f}s after it was sent; {dict(orch.stats)}"
            )
    finally:
        await bus.stop()
        await nc.close()

    assert [c.reply_to for c in completed] == ["m1", "m2"]  # type: ignore[attr-defined]
    deltas = [d for d in watcher.of("message.delta") if d.message_id == first.message_id]  # type: ignore[attr-defined]
    texts = widget_texts(deltas)
    assert never_rewinds(texts), "the interrupted reply's text never went backwards"
    assert texts[-1] == first.text  # type: ignore[attr-defined]


async def test_the_progress_stream_comes_back_after_a_nats_restart(settings: Settings, own_nats: EmbeddedNats) -> None:
    """Memory streams do not survive a nats-server restart: the orchestrator recreates its own on reconnect."""
    connected = settings.model_copy(update={"nats_url": own_nats.url})
    options = OrchestratorSettings(durable=f"orchestrator-restart-{uuid.uuid4().hex[:8]}", deliver="new")
    back = asyncio.Event()

    async def reconnected() -> None:
        back.set()

    nc = await nats.connect(
        own_nats.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2, reconnected_cb=reconnected
    )
    js = nc.jetstream()
    try:
        async with running(connected, options):
            await js.stream_info(REPLY_PROGRESS_STREAM)
            created = await nc.subscribe(f"$JS.EVENT.ADVISORY.STREAM.CREATED.{REPLY_PROGRESS_STREAM}")
            await nc.flush()
            own_nats.restart()
            await asyncio.wait_for(back.wait(), 30)
            try:
                await js.stream_info(REPLY_PROGRESS_STREAM)  # recreated before we were back
            except NotFoundError:
                await created.next_msg(timeout=30)  # or while we watch
                await js.stream_info(REPLY_PROGRESS_STREAM)
    finally:
        await nc.close()
