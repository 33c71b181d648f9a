"""The whole loop: time to first token and tokens/s through gateway, NATS and orchestrator,
against the same LangGraph turn called in-process, with the same zero-latency scripted
OpenAI-compatible model (a separate process) behind both.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import websockets
import yaml

from bench.stats import summary_ms, table
from orchestrator.graph import build_graph
from orchestrator.inprocess import stream_turn
from orchestrator.providers import OpenAIProvider
from services.nats_embedded import free_port, wait_for_port
from shared.settings import REPO_ROOT
from shared.tenants import load_tenants
from tests.e2e.system import RunningSystem

REPLY = " ".join(f"word{i}" for i in range(60)) + "."
QUESTIONS = ["How do returns work?", "What is the warranty?", "Do you ship abroad?", "Where are your stores?"]


def bench_tenants(tmp: Path) -> Path:
    """The demo tenants, with acme switched to the OpenAI-compatible provider."""
    data = yaml.safe_load((REPO_ROOT / "deploy/demo/tenants.yaml").read_text())
    for tenant in data["tenants"]:
        tenant["knowledge_base"] = str((REPO_ROOT / "deploy/demo" / tenant["knowledge_base"]).resolve())
        if tenant["id"] == "acme":
            tenant["model"] = {"provider": "openai", "model": "scripted"}
    path = tmp / "tenants.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


async def bus_client(gateway_url: str, turns: int, ttft: list[float], tokens: list[int]) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        session = (await http.post(f"{gateway_url}/v1/session", json={"widget_key": "pk_demo_acme"})).json()
    url = gateway_url.replace("http://", "ws://") + f"/v1/ws?token={session['token']}"
    async with websockets.connect(url, ping_interval=None) as ws:
        for turn in range(turns):
            sent = time.perf_counter()
            await ws.send(
                json.dumps({"type": "message.send", "client_id": uuid.uuid4().hex, "text": QUESTIONS[turn % 4]})
            )
            first: float | None = None
            count = 0
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "message.delta":
                    count += 1
                    if first is None:
                        first = time.perf_counter() - sent
                elif frame["type"] == "message.completed" and frame.get("role") == "assistant":
                    break
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
    ttft: list[float] = []
    tokens: list[int] = []
    started = time.perf_counter()
    await asyncio.gather(*(make_client(turns, ttft, tokens) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {"ttft": summary_ms(ttft), "tokens_per_s": sum(tokens) / elapsed, "turns": len(ttft)}


async def main(args: Any) -> dict[str, Any]:
    levels = [1, 10] if args.quick else [1, 50, 200]
    turns = 2 if args.quick else 3
    port = free_port()
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openai_server", "--port", str(port), "--reply", REPLY], cwd=REPO_ROOT
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    results: dict[str, Any] = {"levels": {}}
    try:
        wait_for_port("127.0.0.1", port, proc=fake)
        with tempfile.TemporaryDirectory() as tmp:
            tenants_file = bench_tenants(Path(tmp))
            tenant = load_tenants(tenants_file).by_id("acme")
            provider = OpenAIProvider(base_url, "bench", "scripted")
            graph = build_graph()
            env = {
                "TENANTS_FILE": str(tenants_file),
                "LLM_BASE_URL": base_url,
                "LLM_API_KEY": "bench",
                "LLM_MODEL": "scripted",
            }
            with RunningSystem(Path(tmp) / "sys", "gateway", "orchestrator", env=env) as system:
                for level in levels:
                    inproc = await run_level(
                        level, turns, lambda t, f, k: inprocess_client(tenant, provider, graph, t, f, k)
                    )
                    bus = await run_level(level, turns, lambda t, f, k: bus_client(system.gateway_url, t, f, k))
                    results["levels"][level] = {
                        "in_process": inproc,
                        "bus": bus,
                        "ttft_p50_ratio": bus["ttft"]["p50_ms"] / inproc["ttft"]["p50_ms"],
                        "tokens_per_s_ratio": bus["tokens_per_s"] / inproc["tokens_per_s"],
                    }
            await provider.client.close()
    finally:
        fake.terminate()
        fake.wait()
    rows = [("conversations", "path", "TTFT p50 ms", "TTFT p99 ms", "tokens/s", "bus/in-process")]
    for level, r in results["levels"].items():
        for path in ("in_process", "bus"):
            x = r[path]
            ratio = f"TTFT x{r['ttft_p50_ratio']:.2f}, tok/s x{r['tokens_per_s_ratio']:.2f}" if path == "bus" else ""
            rows.append(
                (
                    str(level),
                    path,
                    f"{x['ttft']['p50_ms']:.1f}",
                    f"{x['ttft']['p99_ms']:.1f}",
                    f"{x['tokens_per_s']:.0f}",
                    ratio,
                )
            )
    print(table(rows))
    return results
