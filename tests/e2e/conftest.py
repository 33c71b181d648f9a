"""End-to-end fixtures: the whole system started by the runner, as `make run` does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.system import RunningSystem


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Every built service, embedded NATS, SQLite, offline answerer — shared by a test module."""
    with RunningSystem(tmp_path_factory.mktemp("system")) as running:
        yield running


@pytest.fixture
def start_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[type[RunningSystem]]:
    """Start a system with custom arguments/env: `start_system(var_dir, "gateway", env={...})`."""
    started: list[RunningSystem] = []

    def factory(*args: str, env: dict[str, str] | None = None, log_level: str | None = "INFO") -> RunningSystem:
        running = RunningSystem(tmp_path_factory.mktemp("system"), *args, env=env, log_level=log_level).start()
        started.append(running)
        return running

    yield factory  # type: ignore[misc]
    for running in started:
        running.stop()
