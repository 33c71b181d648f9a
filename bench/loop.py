"""The whole loop: time to first token and tokens/s through gateway, NATS and orchestrator,
against the same LangGraph turn called in-process, with the same zero-latency scripted
OpenAI-compatible model (a separate process) behind both.

The bus path is the orchestrator as deployed: history in the database checkpointer (SQLite
here; ORCHESTRATOR_CHECKPOINTER=memory to compare without it); the in-process baseline keeps
history in memory. Both paths are warmed up with one unmeasured turn first, and the run checks
that the bus reply is the scripted model's (not the offline answerer's).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.stats import summary_ms, table
from orchestrator.graph import build_graph
from orchestrator.inprocess import stream_turn
from orchestrator.providers import OpenAIProvider
from services.nats_embedded import free_port, wait_for_port
from shared.settings import REPO_ROOT
from shared.tenants import load_tenants
from tests.e2e.system import RunningSystem
from tests.e2e.tenants import demo_tenants_with

REPLY = " ".join(f"word{i}" for i in range(60)) + "."
TURN_TIMEOUT_S = 60.0
QUESTIONS = ["How do returns work?", "What is the warranty?", "Do you ship abroad?", "Where are your stores?"]


class TurnFailed(Exception):
    """A bus turn did not complete (timeout, closed socket, error frame)."""


async def bus_client(
    gateway_url: str,
    turns: int,
    ttft: list[float],
    tokens: list[int],
    texts: list[str] | None = None,
    deadline_s: float = TURN_TIMEOUT_S,
) -> None:
    """One visitor over the widget socket; a turn not completed within ``deadline_s`` is lost.

    The deadline is per turn, not per frame: heartbeats would keep a stuck turn's socket busy forever.
    """
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(f"{gateway_url}/v1/session", json={"widget_key": "pk_demo_acme"})
        response.raise_for_status()
        session = response.json()
    url = gateway_url.replace("http://", "ws://") + f"/v1/ws?token={session['token']}"
    async with websockets.connect(url, ping_interval=None, max_size=None) as ws:
        for turn in range(turns):
            sent = time.perf_counter()
            question = QUESTIONS[turn % len(QUESTIONS)]
            await ws.send(json.dumps({"type": "message.send", "client_id": uuid.uuid4().hex, "text": question}))
            first: float | None = None
            count = 0
            try:
                async with asyncio.timeout(deadline_s):
                    while True:
                        frame = json.loads(await ws.recv())
                        kind = frame.get("type")
                        if kind == "message.delta":
                            # Words, not frames: deltas leave batched, the scripted model sends a word a chunk.
                            count += len(frame.get("text", "").split())
                            first = first if first is not None else time.perf_counter() - sent
                        elif kind == "message.completed" and frame.get("role") == "assistant":
                            if texts is not None:
                                texts.append(frame.get("text", ""))
                            break
                        elif kind in ("error", "message.cancelled"):
                            raise TurnFailed(f"{kind}: {frame}")
            except TimeoutError:
                lost = f"turn {turn} of {session['conversation_id']} not completed in {deadline_s}s"
                raise TurnFailed(lost) from None
            ttft.append(first if first is not None else float("nan"))
            tokens.append(count)


async def inprocess_client(
    tenant: Any, provider: OpenAIProvider, graph: Any, turns: int, ttft: list[float], tokens: list[int]
) -> None:
    conversation = uuid.uuid4().hex
    for turn in range(turns):
        sent = time.perf_counter()
        first: float | None = None
        count = 0
        async for _chunk in stream_turn(
            tenant, QUESTIONS[turn % 4], provider, conversation_id=conversation, graph=graph
        ):
            count += 1
            if first is None:
                first = time.perf_counter() - sent
        ttft.append(first if first is not None else float("nan"))
        tokens.append(count)


async def run_level(clients: int, turns: int, make_client: Any) -> dict[str, Any]:
    """``clients`` conversations of ``turns`` turns at once; a failed client is counted, not fatal."""
    ttft: list[float] = []
    tokens: list[int] = []
    started = time.perf_counter()
    outcomes = await asyncio.gather(*(make_client(turns, ttft, tokens) for _ in range(clients)), return_exceptions=True)
    elapsed = time.perf_counter() - started
    failures = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    for failure in failures[:3]:
        print(f"[bench loop] a client failed: {failure}", file=sys.stderr)
    return {
        "ttft": summary_ms(ttft),
        "tokens_per_s": sum(tokens) / elapsed if elapsed > 0 else float("nan"),
        "turns": len(ttft),
        "failed_clients": len(failures),
    }


def ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else float("nan")


async def main(args: Any) -> dict[str, Any]:
    levels = [1, 10] if args.quick else [1, 50, 200]
    turns = 3
    port = free_port()
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openai_server", "--port", str(port), "--reply", REPLY], cwd=REPO_ROOT
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    results: dict[str, Any] = {
        "levels": {},
        "turns_per_conversation": turns,
        "bus_checkpointer": os.environ.get("ORCHESTRATOR_CHECKPOINTER", "database"),
        "in_process_checkpointer": "memory",
    }
    provider = OpenAIProvider(base_url, "bench", "scripted")
    try:
        wait_for_port("127.0.0.1", port, proc=fake)
        with tempfile.TemporaryDirectory() as tmp:
            tenants_file = demo_tenants_with(
                Path(tmp), lift_limits=True, acme={"model": {"provider": "openai", "model": "scripted"}}
            )
            tenant = load_tenants(tenants_file).by_id("acme")
            graph = build_graph()
            env = {
                "TENANTS_FILE": str(tenants_file),
                "LLM_BASE_URL": base_url,
                "LLM_API_KEY": "bench",
                "LLM_MODEL": "scripted",
            }
            with RunningSystem(Path(tmp) / "sys", "gateway", "orchestrator", env=env) as system:

                def inproc_client(t: int, f: list[float], k: list[int]) -> Any:
                    return inprocess_client(tenant, provider, graph, t, f, k)

                texts: list[str] = []

                def bus(t: int, f: list[float], k: list[int]) -> Any:
                    return bus_client(system.gateway_url, t, f, k, texts)

                # Warm-up (not measured): first connections, imports, model client pools on both paths.
                await run_level(1, 1, inproc_client)
                await run_level(1, 1, bus)
                # The bus path must really stream the scripted model (not the offline answerer).
                results["bus_path_streams_scripted_model"] = bool(texts) and texts[0] == REPLY
                if not results["bus_path_streams_scripted_model"]:
                    print(f"[bench loop] the bus reply is not the scripted one: {texts[:1]!r}", file=sys.stderr)
                for level in levels:
                    try:
                        inproc = await run_level(level, turns, inproc_client)
                        over_bus = await run_level(level, turns, bus)
                    except Exception as exc:  # e.g. the system could not take this many sockets
                        print(f"[bench loop] level {level} failed: {exc!r}", file=sys.stderr)
                        results["levels"][level] = {"error": repr(exc)}
                        continue
                    results["levels"][level] = {
                        "in_process": inproc,
                        "bus": over_bus,
                        "ttft_p50_ratio": ratio(over_bus["ttft"]["p50_ms"], inproc["ttft"]["p50_ms"]),
                        "tokens_per_s_ratio": ratio(over_bus["tokens_per_s"], inproc["tokens_per_s"]),
                    }
    except Exception as exc:  # the system or the fake model did not come up: report, don't crash the run
        print(f"[bench loop] failed: {exc!r}", file=sys.stderr)
        results["error"] = repr(exc)
    finally:
        await provider.aclose()
        fake.terminate()
        try:
            fake.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fake.kill()
            fake.wait()
    print(render(results))
    return results


def render(results: dict[str, Any]) -> str:
    rows = [("conversations", "path", "TTFT p50 ms", "TTFT p99 ms", "tokens/s", "bus/in-process")]
    for level, r in results["levels"].items():
        if "error" in r:
            rows.append((str(level), "-", "-", "-", "-", r["error"][:60]))
            continue
        for path in ("in_process", "bus"):
            x = r[path]
            note = f"TTFT x{r['ttft_p50_ratio']:.2f}, tok/s x{r['tokens_per_s_ratio']:.2f}" if path == "bus" else ""
            if x["failed_clients"]:
                note += f" ({x['failed_clients']} clients failed)"
            rows.append(
                (
                    str(level),
                    path,
                    f"{x['ttft']['p50_ms']:.1f}",
                    f"{x['ttft']['p99_ms']:.1f}",
                    f"{x['tokens_per_s']:.0f}",
                    note,
                )
            )
    return table(rows)
