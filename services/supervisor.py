"""Run each service as its own child process; restart what crashes; stop all cleanly."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from services.registry import ServiceSpec

log = logging.getLogger(__name__)

RESTART_BACKOFF_S = (0.2, 0.5, 1.0, 2.0, 5.0)


@dataclass
class Child:
    """One running replica of a service."""

    spec: ServiceSpec
    replica: int
    env: dict[str, str]
    proc: asyncio.subprocess.Process | None = None
    restarts: int = 0
    started_at: float = 0.0
    stopping: bool = False
    pid_history: list[int] = field(default_factory=list)
    # Python arguments; default ``-m <module>``.
    argv: list[str] | None = None

    @property
    def label(self) -> str:
        return f"{self.spec.name}#{self.replica}"

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *(self.argv or ["-m", self.spec.module]), env=self.env, start_new_session=True
        )
        self.started_at = time.monotonic()
        self.pid_history.append(self.proc.pid)
        log.info("started %s (pid %s)", self.label, self.proc.pid)

    async def stop(self, timeout: float = 10.0) -> None:
        self.stopping = True
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            log.warning("%s did not stop in %.0fs; killing", self.label, timeout)
            proc.kill()
            await proc.wait()


class Supervisor:
    """Keeps every child running until stop(); a crashed child is restarted with backoff."""

    def __init__(self, children: list[Child], on_change: Callable[[], None] | None = None) -> None:
        self.children = children
        self.on_change = on_change
        self._watchers: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        for child in self.children:
            await child.start()
            self._watchers.append(asyncio.create_task(self._watch(child)))

    async def _watch(self, child: Child) -> None:
        while not child.stopping:
            assert child.proc is not None
            code = await child.proc.wait()
            if child.stopping:
                return
            # A child that ran for a while gets its backoff reset.
            if time.monotonic() - child.started_at > 30:
                child.restarts = 0
            delay = RESTART_BACKOFF_S[min(child.restarts, len(RESTART_BACKOFF_S) - 1)]
            log.warning("%s exited with %s; restarting in %.1fs", child.label, code, delay)
            await asyncio.sleep(delay)
            if child.stopping:
                return
            child.restarts += 1
            await child.start()
            if self.on_change is not None:
                self.on_change()

    async def stop(self) -> None:
        for child in self.children:
            child.stopping = True
        await asyncio.gather(*(c.stop() for c in reversed(self.children)))
        for task in self._watchers:
            task.cancel()

    def pids(self) -> dict[str, int | None]:
        return {c.label: (c.proc.pid if c.proc else None) for c in self.children}


def child_env(base: dict[str, str], **overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(base)
    env.update(overrides)
    return env
