"""Sample running processes with py-spy and name their hot spots (own and total time by function)."""

from __future__ import annotations

import contextlib
import inspect
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

FRAME_RE = re.compile(r"^(?P<name>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")
# "total" ranks our own code only: library dispatch frames (event loop, faststream, starlette)
# sit under every handler and would fill the ranking without saying where to cut.
OURS = ("gateway/", "orchestrator/", "guards/", "handoff/", "services/", "shared/")

# Leaves where a thread waits rather than works (py-spy's idle detection misses some of them).
WAITS = frozenset(
    {
        "selectors.py:EpollSelector.select",
        "threading.py:Condition.wait",
        "asyncio/runners.py:Runner.run",
        "concurrent/futures/thread.py:_worker",
        "queue.py:Queue.get",
    }
)


def _line_of(function: object, needle: str) -> int | None:
    """The line in ``function``'s source that holds ``needle`` (where it blocks), if found."""
    try:
        lines, start = inspect.getsourcelines(function)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return None
    return next((start + i for i, text in enumerate(lines) if needle in text), None)


def _blocking_lines() -> set[str]:
    """Leaves that are waits only at one line: aiosqlite's thread blocks on its queue, then works."""
    found = set()
    with contextlib.suppress(ImportError):
        import aiosqlite.core

        line = _line_of(aiosqlite.core._connection_worker_thread, "tx.get()")
        if line is not None:
            found.add(f"aiosqlite/core.py:_connection_worker_thread:{line}")
    return found


WAIT_AT = _blocking_lines()


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise RuntimeError("py-spy is not installed: pip install py-spy")
    return found


class Spies:
    """One `py-spy record --format raw` per process, stopped with SIGINT (py-spy then writes its file)."""

    def __init__(self, pids: dict[str, int], out_dir: Path) -> None:
        self.pids = pids
        self.out_dir = out_dir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def path(self, label: str) -> Path:
        return self.out_dir / f"{label.replace('#', '-')}.raw"

    def start(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        exe = py_spy()
        for label, pid in self.pids.items():
            self.procs[label] = subprocess.Popen(
                [
                    exe,
                    "record",
                    "--nonblocking",
                    "--format",
                    "raw",
                    "--output",
                    str(self.path(label)),
                    "--pid",
                    str(pid),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )

    def stop(self) -> dict[str, Path]:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        written: dict[str, Path] = {}
        for label, proc in self.procs.items():
            try:
                _, err = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            if self.path(label).exists():
                written[label] = self.path(label)
            else:
                print(f"[bench peers] py-spy wrote nothing for {label}: {err.decode()[-300:]}", file=sys.stderr)
        return written


def frame_key(frame: str) -> str:
    """``name (pkg/file.py:12)`` -> ``pkg/file.py:name`` (lines of one function are summed)."""
    match = FRAME_RE.match(frame)
    return f"{match['file']}:{match['name']}" if match else frame


def _with_line(frame: str) -> str:
    match = FRAME_RE.match(frame)
    return f"{match['file']}:{match['name']}:{match['line']}" if match else frame


def hot_spots(raw: str, top: int = 5) -> dict[str, object]:
    """Own time (the sampled frame itself, any code) and total time (anywhere on the stack, our
    packages only) by function, in % of the working samples: those whose leaf is a wait (WAITS,
    WAIT_AT) are counted apart."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = waiting = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        raw_frames = stack.split(";")
        frames = [frame_key(f) for f in raw_frames]
        samples += count
        if frames[-1] in WAITS or _with_line(raw_frames[-1]) in WAIT_AT:
            waiting += count
            continue
        own[frames[-1]] += count
        for key in set(frames):
            if key.startswith(OURS) and not key.endswith(("__main__.py:<module>", "__main__.py:main")):
                total[key] += count

    working = samples - waiting

    def ranked(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(key, round(100 * n / working, 1)) for key, n in counter.most_common(top)] if working else []

    return {
        "samples": samples,
        "waiting_pct": round(100 * waiting / samples, 1) if samples else 0.0,
        "own": ranked(own),
        "total": ranked(total),
    }
