"""A replica killed mid-reply: its lock expires, the message is redelivered, the reply is taken over once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid

import nats
import pytest
from faststream.nats import NatsBroker

from orchestrator.app import running
from orchestrator.config import OrchestratorSettings
from shared.bus import emit, make_broker
from shared.events import UserMessage
from shared.settings import REPO_ROOT, Settings
from shared.subjects import CONV_STREAM, Channel, subject
from tests.conftest import TEST_SECRET
from tests.orchestrator._helpers import never_rewinds, watch, widget_texts

pytestmark = [pytest.mark.connected, pytest.mark.e2e]


async def start_replica_process(settings: Settings, options: OrchestratorSettings) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "NATS_URL": settings.nats_url or "",
        "DATABASE_URL": settings.database_url,  # the test's own SQLite file, for the checkpointer
        "ENVIRONMENT": "test",
        "SECRET_KEY": TEST_SECRET,
        **{f"ORCHESTRATOR_{k.upper()}": str(v) for k, v in options.model_dump().items()},
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "orchestrator",
        cwd=REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None

    async def started() -> None:
        async for line in proc.stdout:  # type: ignore[union-attr]
            if b"started successfully" in line:
                return
        raise AssertionError("orchestrator process exited before starting")

    await asyncio.wait_for(started(), 20)

    async def drain() -> None:  # a full pipe would block the process's logging
        async for _ in proc.stdout:  # type: ignore[union-attr]
            pass

    proc.drain_task = asyncio.create_task(drain())  # type: ignore[attr-defined]
    return proc


async def test_killed_replica_reply_is_rerun_once_with_the_same_ids(
    connected_settings: Settings, nats_client: nats.NATS, conversation_id: str
) -> None:
    options = OrchestratorSettings(
        durable=f"orchestrator-crash-{uuid.uuid4().hex[:8]}",
        deliver="new",
        # The default ack wait and lock TTL: the takeover comes within a couple of seconds.
        word_delay_s=0.5,  # slow enough to kill it mid-reply
        concurrency=4,
    )
    watcher = await watch(nats_client, conversation_id)
    proc = await start_replica_process(connected_settings, options)
    bus: NatsBroker = make_broker(connected_settings)
    await bus.connect()
    try:
        await emit(
            bus,
            UserMessage(
                tenant_id="acme",
                conversation_id=conversation_id,
                message_id="m1",
                client_id="c1",
                visitor_id="v1",
                text="What does express shipping cost?",
            ),
        )
        [first_created] = await watcher.until("message.created", timeout=15)
        await watcher.until("message.delta", 1)
        proc.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        await proc.wait()
        before = len(watcher.of("message.delta"))

        survivor = options.model_copy(update={"word_delay_s": 0})
        async with running(connected_settings, survivor) as orch:
            await watcher.until("message.delta", before + 1, timeout=30)
            print(f"reply taken over {time.monotonic() - killed_at:.2f}s after the kill", dict(orch.stats))
            [completed] = await watcher.until("message.completed", timeout=30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await bus.stop()

    assert completed.message_id == first_created.message_id  # type: ignore[attr-defined]
    assert "$14.95" in completed.text  # type: ignore[attr-defined]
    assert orch.stats["taken_over"] == 1, "the survivor knew how far the killed replica got"
    shown = widget_texts(watcher.of("message.delta"))
    assert never_rewinds(shown)
    assert shown[-1] == completed.text  # type: ignore[attr-defined]
    js = nats_client.jetstream()
    for kind in ("message.created", "message.completed"):
        stored = subject(Channel.CONV, "acme", conversation_id, kind)
        info = await js.stream_info(CONV_STREAM, subjects_filter=stored)
        assert info.state.subjects == {stored: 1}, kind  # the rerun's copies were dropped by id
