"""Two sentiment-monitor processes share one durable consumer: when one is killed (-9), the other
scores every following visitor message (no share of the conversations is left to the dead one).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from faststream.nats import NatsBroker

from guards.sentiment.handlers import DURABLE
from shared.events import SentimentScored
from shared.settings import REPO_ROOT
from shared.subjects import CONV_STREAM
from tests.guards.sentiment.test_connected import gateway, next_of, ops_of, say  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e


@pytest.fixture
def monitors(nats_url: str, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = {**os.environ, "NATS_URL": nats_url, "ENVIRONMENT": "development", "LOG_LEVEL": "WARNING"}
    procs = [
        subprocess.Popen([sys.executable, "-m", "guards.sentiment"], env=env, cwd=REPO_ROOT,
                         stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"monitor{i}.log", "wb"))  # noqa: SIM115
        for i in range(2)
    ]  # fmt: skip
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=15)


async def both_pulling(nc: nats.NATS, timeout: float = 30.0) -> None:
    """Both processes have pull requests waiting on the shared durable."""
    js = nc.jetstream()
    async with asyncio.timeout(timeout):
        while True:
            try:
                if (await js.consumer_info(CONV_STREAM, DURABLE)).num_waiting >= 2:
                    return
            except nats.js.errors.NotFoundError:
                pass
            await asyncio.sleep(0.1)  # polling: the server announces no new pull requests


async def test_survivor_scores_every_message_after_a_replica_is_killed(
    monitors: list[subprocess.Popen[bytes]],
    nats_client: nats.NATS,
    gateway: NatsBroker,  # noqa: F811
) -> None:
    await both_pulling(nats_client)
    conversations = [uuid.uuid4().hex for _ in range(6)]
    queues = [await ops_of(nats_client, c) for c in conversations]
    for c, q in zip(conversations[:3], queues[:3], strict=True):
        await say(gateway, c, "How long does shipping take?")
        await next_of(q, SentimentScored)

    os.kill(monitors[0].pid, signal.SIGKILL)
    monitors[0].wait()
    sent = [await say(gateway, c, "Where is my parcel?") for c in conversations]
    scored = [await next_of(q, SentimentScored) for q in queues]
    assert [s.message_id for s in scored] == sent  # type: ignore[attr-defined]
