"""The runner's plan, the supervisor's restarts and the embedded nats-server."""

from __future__ import annotations

import asyncio
import os
import signal

import nats
import pytest

from services.__main__ import parse_replicas
from services.nats_embedded import EmbeddedNats
from services.registry import ServiceSpec
from services.runner import plan
from services.supervisor import Child, Supervisor, child_env


def test_parse_replicas() -> None:
    assert parse_replicas(["orchestrator=2", "gateway=3"]) == {"orchestrator": 2, "gateway": 3}
    with pytest.raises(SystemExit, match="Expected --replicas NAME=COUNT"):
        parse_replicas(["orchestrator"])


def test_plan_rejects_unknown_services() -> None:
    with pytest.raises(SystemExit, match="Unknown service"):
        plan(["nope"], {})


async def test_supervisor_restarts_a_killed_child_and_stops_all() -> None:
    spec = ServiceSpec("forever", "tests.services._forever", "test child")
    children = [Child(spec, i, child_env({})) for i in range(2)]
    changes = asyncio.Event()
    supervisor = Supervisor(children, on_change=changes.set)
    await supervisor.start()
    try:
        first = children[0].proc
        assert first is not None
        os.kill(first.pid, signal.SIGKILL)
        await asyncio.wait_for(changes.wait(), 10)
        assert children[0].proc is not first
        assert children[0].restarts == 1
        assert children[1].restarts == 0
        assert len(children[0].pid_history) == 2
    finally:
        await supervisor.stop()
    assert all(c.proc is not None and c.proc.returncode is not None for c in children)


@pytest.mark.connected
async def test_embedded_nats_serves_jetstream_and_survives_restart(tmp_path) -> None:
    server = EmbeddedNats(store_dir=tmp_path / "js")
    server.start()
    try:
        reconnected = asyncio.Event()

        async def on_reconnect() -> None:
            reconnected.set()

        nc = await nats.connect(
            server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.1, reconnected_cb=on_reconnect
        )
        js = nc.jetstream()
        await js.add_stream(name="T", subjects=["t.>"])
        await js.publish("t.a", b"1")
        server.restart()
        # JetStream state is on disk: the stored message is still there after the restart.
        await asyncio.wait_for(reconnected.wait(), 15)
        msg = await js.get_msg("T", 1)
        assert msg.data == b"1"
        await nc.close()
    finally:
        server.stop()


def test_migrate_command_brings_a_fresh_database_to_head(tmp_path) -> None:
    import sqlite3
    import subprocess
    import sys

    db = tmp_path / "fresh.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{db}", "ENVIRONMENT": "development"}
    subprocess.run([sys.executable, "-m", "services", "migrate"], env=env, check=True, capture_output=True)
    tables = {row[0] for row in sqlite3.connect(db).execute("select name from sqlite_master where type='table'")}
    assert {"events", "messages", "conversations", "alembic_version"} <= tables


def test_the_development_banner_says_the_secrets_are_public(capsys: pytest.CaptureFixture[str]) -> None:
    from services.runner import announce

    urls = {"gateway": ["http://127.0.0.1:8000"], "handoff": ["http://127.0.0.1:8001"]}
    announce(urls, "nats://127.0.0.1:4222", "development")
    banner = capsys.readouterr().out
    assert "public demo secrets" in banner
    assert "loopback only" in banner
    announce(urls, "nats://127.0.0.1:4222", "production")
    assert "public demo secrets" not in capsys.readouterr().out
