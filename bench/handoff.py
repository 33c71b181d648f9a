"""Agent message -> widget latency, with many widget sockets open.

Real processes (runner: gateway + handoff + NATS). Many widget sockets are opened; in some of
them the visitor asks for a human and an agent claims the conversation. The agent then sends
messages through the REST API and the bench times each from the POST to the frame arriving on
the widget socket. Baseline in the same run: the same MessageCompleted published straight to
JetStream (what the handoff service itself adds is the difference). Measured one message at a
time, then with every active conversation sending at once.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import nats
import websockets
import yaml

from bench.gateway import gateway_sessions, open_sockets
from bench.stats import summary_ms, table
from shared.events import Author, MessageCompleted
from shared.settings import REPO_ROOT
from tests.e2e.system import RunningSystem
from tests.e2e.tenants import LIFTED_LIMITS

DEMO = REPO_ROOT / "deploy" / "demo" / "tenants.yaml"
TOKEN = "demo-acme-alice"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def manual_assign_tenants(tmp: Path) -> Path:
    data = yaml.safe_load(DEMO.read_text())
    for tenant in data["tenants"]:
        tenant["knowledge_base"] = str((DEMO.parent / tenant["knowledge_base"]).resolve())
        tenant["handoff"] = {"auto_assign": False}
        tenant["limits"] = dict(LIFTED_LIMITS)  # thousands of widget sockets from one address
    path = tmp / "tenants.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


class Widgets:
    """Reads the active sockets; resolves a future when a frame with an awaited key arrives."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[float]] = {}

    def expect(self, key: str) -> asyncio.Future[float]:
        fut = asyncio.get_running_loop().create_future()
        self.waiting[key] = fut
        return fut

    async def read(self, ws: websockets.ClientConnection, conversation_id: str) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            key = frame.get("text") if kind == "message.completed" else f"{kind}:{conversation_id}"
            fut = self.waiting.pop(key, None) if key else None
            if fut is not None and not fut.done():
                fut.set_result(time.perf_counter())


async def timed(widgets: Widgets, key: str, send: Any) -> tuple[float, float]:
    """(send -> widget frame, send round trip) in seconds."""
    arrived = widgets.expect(key)
    started = time.perf_counter()
    await send()
    sent = time.perf_counter()
    return await asyncio.wait_for(arrived, 30) - started, sent - started


async def run(idle: int, active: int, per_conv: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"TENANTS_FILE": str(manual_assign_tenants(Path(tmp)))}
        with RunningSystem(Path(tmp) / "var", "gateway", "handoff", env=env) as system:
            sessions = await gateway_sessions(system.gateway_url, idle)
            ws_base = system.gateway_url.replace("http://", "ws://")
            sockets = await open_sockets([f"{ws_base}/v1/ws?token={s['token']}" for s in sessions])
            widgets = Widgets()
            convs = [s["conversation_id"] for s in sessions[:active]]
            readers = [asyncio.create_task(widgets.read(ws, c)) for ws, c in zip(sockets, convs, strict=False)]
            nc = await nats.connect(system.nats_url)
            js = nc.jetstream()
            async with httpx.AsyncClient(base_url=system.handoff_url, timeout=30) as api:
                (await api.put("/v1/agents/me/presence", json={"status": "online"}, headers=AUTH)).raise_for_status()
                for ws, conv in zip(sockets, convs, strict=False):
                    queued = widgets.expect(f"handoff.queued:{conv}")
                    await ws.send(json.dumps({"type": "handoff.ask", "reason": "bench"}))
                    await asyncio.wait_for(queued, 30)
                    (await api.post(f"/v1/conversations/{conv}/claim", headers=AUTH)).raise_for_status()

                async def via_api(conv: str, text: str) -> None:
                    r = await api.post(f"/v1/conversations/{conv}/messages", json={"text": text}, headers=AUTH)
                    r.raise_for_status()

                async def via_nats(conv: str, text: str) -> None:
                    event = MessageCompleted(
                        tenant_id="acme",
                        conversation_id=conv,
                        message_id=text.replace(" ", "-"),
                        role="agent",
                        text=text,
                        author=Author(name="Alice Moreau"),
                    )
                    await js.publish(event.subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": event.id})

                results: dict[str, list[tuple[float, float]]] = {"api": [], "nats": [], "api_burst": []}
                for i in range(per_conv):
                    for conv in convs:
                        results["api"].append(
                            await timed(widgets, f"api {conv} {i}", lambda c=conv, t=f"api {conv} {i}": via_api(c, t))
                        )
                        results["nats"].append(
                            await timed(
                                widgets, f"nats {conv} {i}", lambda c=conv, t=f"nats {conv} {i}": via_nats(c, t)
                            )
                        )
                for i in range(per_conv):
                    burst = [
                        timed(widgets, f"burst {c} {i}", lambda c=c, t=f"burst {c} {i}": via_api(c, t)) for c in convs
                    ]
                    results["api_burst"].extend(await asyncio.gather(*burst))
            await nc.close()
            for task in readers:
                task.cancel()
            for ws in sockets:
                await ws.close()
    return {
        "widget_api": summary_ms([r[0] for r in results["api"]]),
        "post_round_trip": summary_ms([r[1] for r in results["api"]]),
        "widget_direct_jetstream": summary_ms([r[0] for r in results["nats"]]),
        "widget_api_burst": summary_ms([r[0] for r in results["api_burst"]]),
    }


async def main(args: Any) -> dict[str, Any]:
    idle, active, per_conv = (200, 10, 5) if args.quick else (2000, 50, 20)
    measured = await run(idle, active, per_conv)
    result = {"widget_sockets": idle, "agent_conversations": active, "messages_per_conversation": per_conv, **measured}
    rows = [("agent message -> widget", "n", "p50 ms", "p99 ms", "mean ms")]
    labels = {
        "widget_direct_jetstream": "baseline: publish to JetStream",
        "widget_api": "REST API, one at a time",
        "post_round_trip": "  (POST round trip alone)",
        "widget_api_burst": f"REST API, {active} conversations at once",
    }
    for key, label in labels.items():
        s = measured[key]
        rows.append((label, str(s["n"]), f"{s['p50_ms']:.2f}", f"{s['p99_ms']:.2f}", f"{s['mean_ms']:.2f}"))
    print(f"{idle} widget sockets open, {active} of them talking to an agent")
    print(table(rows))
    return result
