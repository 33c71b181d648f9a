"""`python -m services.recorder` as its own process: embedded mode migrates SQLite itself and records."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from pathlib import Path

import nats
import pytest
from sqlalchemy import select

from services.nats_embedded import EmbeddedNats
from services.recorder.handlers import DURABLES
from shared.bus import ensure_streams
from shared.db import Message, make_engine, make_sessionmaker
from shared.events import UserMessage
from shared.subjects import CONV_STREAM, Channel
from tests.conftest import TEST_SECRET
from tests.services.recorder.jetstream import publish, wait_consumed

pytestmark = [pytest.mark.e2e, pytest.mark.connected]


async def test_recorder_process_migrates_and_records(own_nats: EmbeddedNats, tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path}/fresh/switchboard.db"  # directory and schema do not exist yet
    env = {
        **os.environ, "NATS_URL": own_nats.url, "DATABASE_URL": db_url, "ENVIRONMENT": "test",
        "SECRET_KEY": TEST_SECRET, "SB_SERVICE_NAME": "recorder",
    }  # fmt: skip
    nc = await nats.connect(own_nats.url)
    js = nc.jetstream()
    await ensure_streams(js)
    conv = uuid.uuid4().hex
    event = UserMessage(
        tenant_id="acme", conversation_id=conv, message_id="u1", client_id="c", visitor_id="v", text="hi"
    )
    seq = await publish(js, event)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "services.recorder", env=env)
    try:
        await wait_consumed(js, CONV_STREAM, DURABLES[Channel.CONV], timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        await nc.drain()
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as s:
            rows = (await s.scalars(select(Message).where(Message.conversation_id == conv))).all()
        assert [(m.id, m.seq) for m in rows] == [("u1", seq)]
    finally:
        await engine.dispose()
