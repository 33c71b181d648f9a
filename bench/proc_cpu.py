"""CPU time of processes from /proc: user + system time of every process of a tree, by label."""

from __future__ import annotations

import os
from pathlib import Path

TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces)."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


def cpu_s(pid: int) -> float:
    """utime + stime of one process (all its threads), in seconds; NaN once it is gone."""
    try:
        fields = _stat_fields(pid)
    except (FileNotFoundError, ProcessLookupError):
        return float("nan")
    # After the name: state(3) ppid(4) ... utime(14) stime(15) -> indexes 11 and 12 here.
    return (int(fields[11]) + int(fields[12])) * TICK_S


def descendants(root: int) -> list[int]:
    """``root`` and every process below it, found by parent pid."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int(_stat_fields(int(entry.name))[1])
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except FileNotFoundError:
        return "?"


def snapshot(pids: dict[int, str]) -> dict[str, float]:
    """CPU seconds so far of each labelled process."""
    return {label: cpu_s(pid) for pid, label in pids.items()}


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each process used between two snapshots (a process that died reports NaN)."""
    return {label: after.get(label, float("nan")) - start for label, start in before.items()}
