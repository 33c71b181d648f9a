"""The probe endpoints every container serves (services.health): NATS and the database, for real."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.health import database_reachable
from services.nats_embedded import EmbeddedNats, free_port
from shared.settings import REPO_ROOT
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.connected


def status(port: int, path: str) -> tuple[int, dict]:
    response = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2)
    return response.status_code, response.json() if response.status_code != 404 else {}


def wait_status(port: int, path: str, expected: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            code, body = status(port, path)
            if code == expected:
                return body
            last = (code, body)
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.1)  # polling: probes are polled by Kubernetes too
    raise AssertionError(f"{path} never answered {expected}; last: {last}")


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    with EmbeddedNats(store_dir=tmp_path / "js") as server:
        yield server


def test_a_service_container_reports_nats_and_database(own_nats: EmbeddedNats, tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "NATS_URL": own_nats.url,
        "SB_HEALTH_PORT": str(port),
        "ENVIRONMENT": "test",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/sb.db",
        "LOG_LEVEL": "WARNING",
    }
    # As a container runs it: one service, NATS_URL set.
    proc = subprocess.Popen(
        [sys.executable, "-m", "services", "run", "sentiment-monitor"], env=env, cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert wait_status(port, "/readyz", 200) == {"nats": True, "database": True}
        assert status(port, "/livez") == (200, {"nats_alive": True})
        assert status(port, "/nope")[0] == 404
        own_nats.stop(kill=True)
        # Reconnecting: not ready (no traffic to it), still alive (no restart).
        assert wait_status(port, "/readyz", 503) == {"nats": False, "database": True}
        assert status(port, "/livez") == (200, {"nats_alive": True})
        own_nats.start()
        wait_status(port, "/readyz", 200)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_database_reachability(tmp_path: Path) -> None:
    assert database_reachable(f"sqlite+aiosqlite:///{tmp_path}/x.db") is True
    assert database_reachable("sqlite+aiosqlite:////no/such/dir/x.db") is False
    assert database_reachable(f"postgresql+asyncpg://u@127.0.0.1:{free_port()}/db", timeout=0.5) is False
