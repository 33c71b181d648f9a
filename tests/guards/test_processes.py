"""Both guards as the separate processes the runner starts: `python -m guards.hallucination|sentiment`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from shared.bus import emit, make_broker
from shared.events import HandoffRequested, MessageFlagged, UserMessage, parse_event
from shared.settings import REPO_ROOT, Settings
from shared.subjects import Channel, subject
from tests.guards.replies import UNGROUNDED, UNGROUNDED_SENTENCE, completed, created, stream

pytestmark = pytest.mark.e2e


@pytest.fixture
def guard_processes(nats_url: str, tmp_path: Path) -> Iterator[None]:
    env = {**os.environ, "NATS_URL": nats_url, "ENVIRONMENT": "development", "LOG_LEVEL": "WARNING"}
    procs = []
    for module in ("guards.hallucination", "guards.sentiment"):
        log = open(tmp_path / f"{module}.log", "wb")  # noqa: SIM115 (closed with the process)
        procs.append((subprocess.Popen([sys.executable, "-m", module], env=env, cwd=REPO_ROOT, stdout=log,
                                       stderr=subprocess.STDOUT), log))  # fmt: skip
    yield
    for proc, log in procs:
        proc.terminate()
        assert proc.wait(timeout=15) == 0, f"{proc.args} exited with {proc.returncode}"
        log.close()


async def test_guard_processes_flag_and_ask_for_a_human(
    guard_processes: None, connected_settings: Settings, nats_client: nats.NATS
) -> None:
    conversation = uuid.uuid4().hex
    flags: asyncio.Queue[MessageFlagged] = asyncio.Queue()
    requests: asyncio.Queue[HandoffRequested] = asyncio.Queue()

    async def on_flag(msg) -> None:  # type: ignore[no-untyped-def]
        await flags.put(parse_event(msg.data))  # type: ignore[arg-type]

    async def on_request(msg) -> None:  # type: ignore[no-untyped-def]
        await requests.put(parse_event(msg.data))  # type: ignore[arg-type]

    await nats_client.subscribe(subject(Channel.PUSH, "acme", conversation, "message.flagged"), cb=on_flag)
    await nats_client.subscribe(subject(Channel.OPS, "acme", conversation, "handoff.requested"), cb=on_request)
    await nats_client.flush()
    broker = make_broker(connected_settings)
    await broker.connect()
    try:
        # Durable: scored whenever the monitor's consumer is up.
        ask = UserMessage(tenant_id="acme", conversation_id=conversation, message_id=f"{conversation}-u",
                          client_id="u", visitor_id="v", text="Can I talk to a human please?")  # fmt: skip
        await emit(broker, ask)
        # Deltas ride core NATS and are lost before the guard subscribes: stream replies until one is flagged.
        flag = None
        for attempt in range(30):
            message_id = f"{conversation}-{attempt}"
            await emit(broker, created(conversation, message_id))
            for delta in stream(conversation, message_id, UNGROUNDED):
                await emit(broker, delta)
            await emit(broker, completed(conversation, message_id, UNGROUNDED))
            try:
                flag = await asyncio.wait_for(flags.get(), 1.0)
                break
            except TimeoutError:
                continue
        assert flag is not None, "the hallucination guard process never flagged"
        assert flag.sentence == UNGROUNDED_SENTENCE
        request = await asyncio.wait_for(requests.get(), 30)
        assert request.trigger == "keyword"
    finally:
        await broker.stop()
