"""Fixtures every test tree shares: a real nats-server, settings, unique ids."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest

from services.nats_embedded import EmbeddedNats
from shared.bus import ensure_streams
from shared.settings import Settings

TEST_SECRET = "test-secret-key-0123456789"

# Every guard process the tests start loads English only (0.2 s, not eight dictionaries in ~4 s of
# CPU each); tests of other languages load theirs (shared.languages.warm) or set GUARD_LANGUAGES.
os.environ.setdefault("GUARD_LANGUAGES", "en")


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    """A real nats-server with JetStream on a free port, for the whole session."""
    store = tmp_path_factory.mktemp("nats")
    server = EmbeddedNats(store_dir=store / "js", log_file=store / "nats.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def nats_url(nats_server: EmbeddedNats) -> str:
    return nats_server.url


@pytest.fixture
async def nats_client(nats_url: str) -> AsyncIterator[nats.NATS]:
    nc = await nats.connect(nats_url)
    await ensure_streams(nc.jetstream())
    yield nc
    await nc.drain()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Test settings; NATS_URL left unset (in-memory tests) unless a test overrides it."""
    return Settings(
        environment="test",
        secret_key=TEST_SECRET,
        nats_url=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/test.db",
        var_dir=tmp_path / "var",
    )


@pytest.fixture
def connected_settings(settings: Settings, nats_url: str) -> Settings:
    return settings.model_copy(update={"nats_url": nats_url})


@pytest.fixture
def conversation_id() -> str:
    """A fresh conversation id per test, so subjects never collide between tests."""
    return uuid.uuid4().hex


LOCAL_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _docker_running() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real Postgres: TEST_DATABASE_URL, else the local server (this machine and CI run one),
    else a testcontainers Postgres where a Docker engine runs; otherwise the tests that need it skip.
    """
    if "TEST_DATABASE_URL" in os.environ:
        yield os.environ["TEST_DATABASE_URL"]
    elif _port_open("127.0.0.1", 5432):
        yield LOCAL_POSTGRES
    elif _docker_running():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver="asyncpg") as container:
            yield container.get_connection_url()
    else:
        yield LOCAL_POSTGRES  # unreachable: the backend fixtures skip, saying so
