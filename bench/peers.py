"""Switchboard next to its peer: the official ChatKit server SDK, in one process tree and one run.

Both answer with the same zero-latency scripted OpenAI-compatible model (bench/scripted_model.py,
a separate process excluded from CPU figures: 50 deltas of knowledge-base text per reply, and
"supported" to the guard's judge). Switchboard runs as `python -m services run`
(every service, SQLite, embedded nats-server) with the demo tenants and `acme` pointed at the
model; ChatKit is a minimal ChatKitServer over an in-memory store (bench/chatkit_baseline.py)
under uvicorn. Clients are matched (bench/peers_clients.py). Rounds alternate which system goes
first; CPU is read from /proc before and after each round, once the processes are quiet.

Scenarios: (a) 1 visitor x 20 turns, (b) 50 visitors x 5 turns, 3 rounds, (c) 200 visitors x 5
turns; (d) is the CPU per turn of every process, printed per process. With --profile DIR, one
more round of (b) runs afterwards with py-spy attached to every Switchboard service.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import proc_cpu
from bench.peers_clients import Tally, Visitor, chatkit_visitor, run_round, switchboard_visitor
from bench.peers_report import render, scenario_summary, write_markdown
from bench.profile_spy import Spies, hot_spots
from bench.scripted_model import DELTAS, is_full_reply
from services.nats_embedded import free_port, wait_for_port
from shared.settings import REPO_ROOT
from tests.e2e.system import RunningSystem
from tests.e2e.tenants import demo_tenants_with

DOC = REPO_ROOT / "docs" / "performance.md"
SETTLE_WINDOW_S = 0.5
SETTLE_BUDGET_S = 0.010  # quiet: under 10 ms of CPU in the window, all processes together
SETTLE_MAX_S = 30.0


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    visitors: int
    turns: int
    rounds: int


FULL = (
    Scenario("a", "1 visitor x 20 turns", 1, 20, 3),
    Scenario("b", "50 visitors x 5 turns", 50, 5, 3),
    Scenario("c", "200 visitors x 5 turns", 200, 5, 1),
)
QUICK = (
    Scenario("a", "1 visitor x 3 turns", 1, 3, 1),
    Scenario("b", "5 visitors x 2 turns", 5, 2, 1),
    Scenario("c", "10 visitors x 2 turns", 10, 2, 1),
)


@dataclass
class Peer:
    name: str
    visitor: Visitor
    processes: Callable[[], dict[int, str]]  # pid -> label, read afresh each round


@contextmanager
def process(*args: str) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, *args], cwd=REPO_ROOT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def switchboard_processes(system: RunningSystem) -> dict[int, str]:
    """Every process of the runner's tree: services by their run.json label, nats-server, the runner."""
    state = system.state
    labels = {int(pid): label for label, pid in state["pids"].items()}
    labels[int(state["nats_pid"])] = "nats-server"
    assert system.proc is not None
    labels[system.proc.pid] = "runner"
    for pid in proc_cpu.descendants(system.proc.pid):
        labels.setdefault(pid, f"{proc_cpu.comm(pid)}:{pid}")
    return labels


async def settle(pids: dict[int, str]) -> None:
    """Wait until the processes are quiet (post-reply work done), at most SETTLE_MAX_S."""
    deadline = time.monotonic() + SETTLE_MAX_S
    last = sum(v for v in proc_cpu.snapshot(pids).values() if v == v)
    while time.monotonic() < deadline:
        await asyncio.sleep(SETTLE_WINDOW_S)
        now = sum(v for v in proc_cpu.snapshot(pids).values() if v == v)
        if now - last < SETTLE_BUDGET_S:
            return
        last = now
    print(f"[bench peers] processes still busy after {SETTLE_MAX_S:.0f}s; measuring anyway", file=sys.stderr)


async def measured_round(peer: Peer, scenario: Scenario, context: dict[int, str]) -> dict[str, Any]:
    """One round; ``context`` processes (the model, this client) are measured apart, not in totals."""
    pids = peer.processes()
    await settle(pids)
    before, context_before = proc_cpu.snapshot(pids), proc_cpu.snapshot(context)
    tally, elapsed = await run_round(scenario.visitors, scenario.turns, peer.visitor)
    await settle(pids)
    cpu = proc_cpu.spent(before, proc_cpu.snapshot(pids))
    context_cpu = proc_cpu.spent(context_before, proc_cpu.snapshot(context))
    for failure in tally.failures[:3]:
        print(f"[bench peers] {peer.name} {scenario.key}: a visitor failed: {failure}", file=sys.stderr)
    return {**round_figures(tally, elapsed, cpu), "context_cpu_s": context_cpu}


async def idle_rate(peer: Peer, seconds: float = 3.0) -> float:
    """CPU ms per second the peer's processes use with no visitor (heartbeats, timers): the floor."""
    pids = peer.processes()
    await settle(pids)
    before = proc_cpu.snapshot(pids)
    await asyncio.sleep(seconds)
    return 1000 * sum(proc_cpu.spent(before, proc_cpu.snapshot(pids)).values()) / seconds


def round_figures(tally: Tally, elapsed: float, cpu: dict[str, float]) -> dict[str, Any]:
    return {
        "elapsed_s": elapsed,
        "replies": len(tally.whole),
        "errors": tally.errors,
        "flags": tally.flags,
        "failures": tally.failures[:3],
        "failed_visitors": len(tally.failures),
        "wrong_replies": sum(1 for t in tally.texts if not is_full_reply(t)),
        "deltas": sorted(set(tally.deltas)),
        "ttft_s": tally.ttft,
        "whole_s": tally.whole,
        "cpu_s": cpu,
    }


async def warm_up(peer: Peer) -> None:
    """Two unmeasured turns (connections, imports, pools); the reply must be the scripted one."""
    tally, _ = await run_round(1, 2, peer.visitor)
    if tally.errors or not all(is_full_reply(t) for t in tally.texts):
        raise RuntimeError(f"{peer.name} warm-up failed: {tally.failures[:1]} {tally.texts[:1]!r}")
    print(f"[bench peers] {peer.name} warm: {tally.deltas} deltas per reply", flush=True)


async def profile(system: RunningSystem, peer: Peer, scenario: Scenario, out_dir: Path) -> dict[str, Any]:
    """One more round of ``scenario`` with py-spy on every service; hot spots per service."""
    services = {label: int(pid) for label, pid in system.state["pids"].items()}
    spies = Spies(services, out_dir)
    await settle(peer.processes())
    spies.start()
    await asyncio.sleep(1.0)  # py-spy attaches
    tally, elapsed = await run_round(scenario.visitors, scenario.turns, peer.visitor)
    files = spies.stop()
    print(f"[bench peers] profiled round: {len(tally.whole)} replies in {elapsed:.1f}s, {tally.errors} errors")
    return {label: {**hot_spots(path.read_text()), "file": str(path)} for label, path in files.items()}


async def main(args: Any) -> dict[str, Any]:
    scenarios = QUICK if args.quick else FULL
    model_port, chatkit_port = free_port(), free_port()
    model_url = f"http://127.0.0.1:{model_port}/v1"
    results: dict[str, Any] = {"reply_deltas": DELTAS, "machine": machine(), "scenarios": {}}
    model_args = ("-m", "bench.scripted_model", "--port", str(model_port))
    chatkit_args = ("-m", "bench.chatkit_baseline", "--port", str(chatkit_port), "--model-url", model_url)
    run_dir = REPO_ROOT / "var" / "bench-peers"  # kept after the run: runner.log and the database
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    with process(*model_args) as model, process(*chatkit_args) as chatkit:
        wait_for_port("127.0.0.1", model_port, proc=model)
        wait_for_port("127.0.0.1", chatkit_port, proc=chatkit)
        acme = {"model": {"provider": "openai", "model": "scripted"}}
        tenants = demo_tenants_with(run_dir, lift_limits=True, acme=acme)  # hundreds of visitors, one address
        env = {"TENANTS_FILE": str(tenants), "LLM_BASE_URL": model_url, "LLM_API_KEY": "bench", "LLM_MODEL": "scripted"}
        with RunningSystem(run_dir / "sys", env=env) as system:
            chatkit_url = f"http://127.0.0.1:{chatkit_port}/chatkit"
            peers = (
                Peer("chatkit", lambda n, t: chatkit_visitor(chatkit_url, n, t), lambda: {chatkit.pid: "chatkit"}),
                Peer(
                    "switchboard",
                    lambda n, t: switchboard_visitor(system.gateway_url, n, t),
                    lambda: switchboard_processes(system),
                ),
            )
            context = {model.pid: "model server", os.getpid(): "bench clients"}
            for peer in peers:
                await warm_up(peer)
            results["idle_cpu_ms_per_s"] = {peer.name: await idle_rate(peer) for peer in peers}
            for scenario in scenarios:
                rounds: dict[str, list[dict[str, Any]]] = {p.name: [] for p in peers}
                for index in range(scenario.rounds):
                    for peer in peers if index % 2 == 0 else reversed(peers):
                        print(f"[bench peers] {scenario.key} round {index + 1}: {peer.name}", flush=True)
                        rounds[peer.name].append(await measured_round(peer, scenario, context))
                results["scenarios"][scenario.key] = scenario_summary(scenario.title, rounds)
            if getattr(args, "profile", None):
                results["profile"] = await profile(system, peers[1], scenarios[1], Path(args.profile))
    results["load_after"] = os.getloadavg()
    print(render(results))
    if not args.quick:
        DOC.write_text(write_markdown(results))
        print(f"[bench peers] wrote {DOC}")
    return results


def machine() -> dict[str, Any]:
    import platform

    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
    )
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_before": os.getloadavg(),
    }
