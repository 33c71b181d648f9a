"""Gateway capacity: memory of idle sockets and delivered frames per second.

Baseline in the same run: a bare Starlette WebSocket server under the same uvicorn
(bench/_bare_ws.py), holding the same number of sockets and pushing the same frames
itself. The gateway's frames come through NATS: the bench publishes message.delta events
to each socket's conversation, as the orchestrator does.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import nats
import websockets

from bench.stats import rss_kb, table
from services.nats_embedded import free_port, wait_for_port
from shared.events import MessageDelta
from tests.e2e.system import RunningSystem
from tests.e2e.tenants import demo_tenants_with

FRAME_TEXT = "token "
CONNECT_CONCURRENCY = 200


async def open_sockets(urls: list[str], ready_type: str = "hello") -> list[websockets.ClientConnection]:
    sockets: list[websockets.ClientConnection] = []
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(url: str) -> None:
        async with gate:
            ws = await websockets.connect(url, open_timeout=60, ping_interval=None)
            while json.loads(await ws.recv()).get("type") != ready_type:
                pass
            sockets.append(ws)

    await asyncio.gather(*(one(u) for u in urls))
    return sockets


async def gateway_sessions(gateway_url: str, count: int) -> list[dict[str, Any]]:
    gate = asyncio.Semaphore(50)
    async with httpx.AsyncClient(timeout=30) as http:

        async def one() -> dict[str, Any]:
            async with gate:
                r = await http.post(f"{gateway_url}/v1/session", json={"widget_key": "pk_demo_acme"})
                r.raise_for_status()
                return r.json()

        return await asyncio.gather(*(one() for _ in range(count)))


async def drain(ws: websockets.ClientConnection, count: int) -> None:
    got = 0
    while got < count:
        frame = json.loads(await ws.recv())
        if frame.get("type") == "message.delta":
            got += 1


async def measure_bare(idle: int, active: int, frames: int) -> dict[str, float]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bench._bare_ws", "--port", str(port)])
    try:
        wait_for_port("127.0.0.1", port, proc=proc)
        base = f"ws://127.0.0.1:{port}/ws?id="
        before = rss_kb(proc.pid)
        sockets = await open_sockets([f"{base}{i}" for i in range(idle)])
        after = rss_kb(proc.pid)
        frame = MessageDelta(tenant_id="acme", conversation_id="x", message_id="m", offset=0, text=FRAME_TEXT)
        ids = [str(i) for i in range(active)]
        started = time.perf_counter()
        async with httpx.AsyncClient(timeout=120) as http:
            push = asyncio.create_task(
                http.post(
                    f"http://127.0.0.1:{port}/push",
                    json={"ids": ids, "count": frames, "frame": frame.model_dump(mode="json")},
                )
            )
            await asyncio.gather(*(drain(sockets[i], frames) for i in range(active)))
            await push
        elapsed = time.perf_counter() - started
        for ws in sockets:
            await ws.close()
        return {"kb_per_socket": (after - before) / idle, "frames_per_s": active * frames / elapsed}
    finally:
        proc.terminate()
        proc.wait()


async def measure_gateway(idle: int, active: int, frames: int) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        RunningSystem(
            Path(tmp), "gateway", env={"TENANTS_FILE": str(demo_tenants_with(Path(tmp), lift_limits=True))}
        ) as system,
    ):
        pid = system.pid("gateway#0")
        sessions = await gateway_sessions(system.gateway_url, idle)
        ws_base = system.gateway_url.replace("http://", "ws://")
        before = rss_kb(pid)
        sockets = await open_sockets([f"{ws_base}/v1/ws?token={s['token']}" for s in sessions])
        after = rss_kb(pid)
        nc = await nats.connect(system.nats_url)
        started = time.perf_counter()
        drains = [asyncio.create_task(drain(sockets[i], frames)) for i in range(active)]
        for offset in range(frames):
            for s in sessions[:active]:
                conv = s["conversation_id"]
                event = MessageDelta(
                    tenant_id="acme", conversation_id=conv, message_id="m", offset=offset, text=FRAME_TEXT
                )
                await nc.publish(event.subject, event.model_dump_json().encode())
        await asyncio.gather(*drains)
        elapsed = time.perf_counter() - started
        await nc.close()
        for ws in sockets:
            await ws.close()
        return {"kb_per_socket": (after - before) / idle, "frames_per_s": active * frames / elapsed}


async def main(args: Any) -> dict[str, Any]:
    idle = 500 if args.quick else 10_000
    active, frames = (20, 100) if args.quick else (200, 250)
    bare = await measure_bare(idle, active, frames)
    gateway = await measure_gateway(idle, active, frames)
    result = {
        "idle_sockets": idle,
        "active_sockets": active,
        "frames_per_socket": frames,
        "bare": bare,
        "gateway": gateway,
        "memory_ratio": gateway["kb_per_socket"] / bare["kb_per_socket"] if bare["kb_per_socket"] else None,
        "throughput_ratio": gateway["frames_per_s"] / bare["frames_per_s"],
    }
    print(
        table(
            [
                ("", "KB per idle socket", "delivered frames/s"),
                ("bare Starlette WS", f"{bare['kb_per_socket']:.1f}", f"{bare['frames_per_s']:.0f}"),
                ("gateway (via NATS)", f"{gateway['kb_per_socket']:.1f}", f"{gateway['frames_per_s']:.0f}"),
                (
                    "ratio gateway/bare",
                    f"{result['memory_ratio']:.2f}" if result["memory_ratio"] else "n/a",
                    f"{result['throughput_ratio']:.2f}",
                ),
            ]
        )
    )
    return result
