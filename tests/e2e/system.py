"""Start the real system through the runner, as `make run` does, and control its processes."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from services.banner import READY_LINE
from services.nats_embedded import free_port
from tests.conftest import TEST_SECRET

REPO = Path(__file__).resolve().parents[2]


class RunningSystem:
    """`python -m services run` in a child process; URLs once it prints that it is ready."""

    def __init__(
        self,
        var_dir: Path,
        *args: str,
        env: dict[str, str] | None = None,
        timeout: float = 120,
        log_level: str | None = "INFO",
    ) -> None:
        self.var_dir = var_dir
        # INFO by default: tests read service log lines; None is `make run`'s quiet default.
        self.log_level = log_level
        self.args = args
        self.extra_env = env or {}
        self.timeout = timeout
        self.proc: subprocess.Popen[str] | None = None
        self.lines: queue.Queue[str] = queue.Queue()
        self.log_path = var_dir / "runner.log"

    def start(self) -> RunningSystem:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "DATABASE_URL", "LOG_LEVEL")}
        if self.log_level is not None:
            env["LOG_LEVEL"] = self.log_level
        env.update(
            ENVIRONMENT="test",
            SECRET_KEY=TEST_SECRET,
            VAR_DIR=str(self.var_dir),
            DATABASE_URL=f"sqlite+aiosqlite:///{self.var_dir}/switchboard.db",
            GATEWAY_PORT=str(free_port()),
            HANDOFF_PORT=str(free_port()),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services", "run", *self.args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        threading.Thread(target=self._pump, args=(self.proc.stdout,), daemon=True).start()
        self._wait_line(READY_LINE)
        return self

    def _pump(self, stream: IO[str]) -> None:
        with open(self.log_path, "a") as log:
            for line in stream:
                log.write(line)
                log.flush()
                self.lines.put(line)

    def wait_line(self, needle: str) -> None:
        """Wait until the runner prints a line containing ``needle`` (later than any seen so far)."""
        self._wait_line(needle)

    def _wait_line(self, needle: str) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if needle in line:
                return
        self.stop()
        tail = self.log_path.read_text()[-4000:]
        raise TimeoutError(f"runner did not print {needle!r}; see {self.log_path}:\n{tail}")

    @property
    def state(self) -> dict:
        return json.loads((self.var_dir / "run.json").read_text())

    @property
    def gateway_url(self) -> str:
        return self.state["urls"]["gateway"][0]

    @property
    def handoff_url(self) -> str:
        return self.state["urls"]["handoff"][0]

    @property
    def nats_url(self) -> str:
        return self.state["nats_url"]

    def pid(self, label: str) -> int:
        """Pid of one replica, e.g. 'orchestrator#0'."""
        return int(self.state["pids"][label])

    def kill_nats(self) -> int:
        """kill -9 the embedded nats-server; the runner restarts it on the same port and store."""
        pid = int(self.state["nats_pid"])
        os.kill(pid, signal.SIGKILL)
        return pid

    def wait_nats_restarted(self, old_pid: int, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                pid = int(self.state["nats_pid"])
            except (json.JSONDecodeError, FileNotFoundError, KeyError):
                pid = old_pid
            if pid != old_pid:
                return pid
            time.sleep(0.05)
        raise TimeoutError(f"nats-server was not restarted within {timeout}s")

    def kill(self, label: str, sig: int = signal.SIGKILL) -> int:
        pid = self.pid(label)
        os.kill(pid, sig)
        return pid

    def wait_restarted(self, label: str, old_pid: int, timeout: float = 30) -> int:
        """The supervisor rewrites run.json when it restarts a child; wait for the new pid."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                pid = self.pid(label)
            except (json.JSONDecodeError, FileNotFoundError):
                pid = old_pid
            if pid != old_pid:
                return pid
            time.sleep(0.05)
        raise TimeoutError(f"{label} was not restarted within {timeout}s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def __enter__(self) -> RunningSystem:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
