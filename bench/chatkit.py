"""Agent message -> ChatKit client latency: `python -m bench chatkit [--quick]`.

Real processes (runner: gateway + handoff + NATS). Each conversation is in a live handoff (the
visitor asked for a person on the widget socket, an agent claimed it) and is followed by the
widget socket (the baseline), the ChatKit side channel (GET /chatkit/updates) and, for each
message, a ChatKit response: the visitor writes (threads.add_user_message) and the response
stays open until the person answers. The agent answers through the handoff REST API; each
answer is timed from the POST to its arrival on all three.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from chatkit.types import (
    InferenceOptions,
    ThreadAddUserMessageParams,
    ThreadsAddUserMessageReq,
    UserMessageInput,
    UserMessageTextContent,
)

from bench.gateway import gateway_sessions, open_sockets
from bench.handoff import AUTH, manual_assign_tenants
from bench.stats import summary_ms, table
from tests.e2e.system import RunningSystem

PATHS = ("widget socket", "ChatKit open stream", "ChatKit side channel")


class Arrivals:
    """Resolves a future per (path, text) when that text arrives on that path."""

    def __init__(self) -> None:
        self.waiting: dict[tuple[str, str], asyncio.Future[float]] = {}

    def expect(self, path: str, text: str) -> asyncio.Future[float]:
        fut = asyncio.get_running_loop().create_future()
        self.waiting[(path, text)] = fut
        return fut

    def arrived(self, path: str, text: str) -> None:
        fut = self.waiting.pop((path, text), None)
        if fut is not None and not fut.done():
            fut.set_result(time.perf_counter())

    async def widget(self, ws: Any, conversation_id: str) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "message.completed":
                self.arrived(PATHS[0], frame["text"])
            elif frame.get("type") == "handoff.queued":
                self.arrived("queued", conversation_id)

    async def chatkit(self, path: str, response: httpx.Response, opened: asyncio.Event) -> None:
        async for line in response.aiter_lines():
            if not line.startswith("data: "):
                continue
            event = json.loads(line[6:])
            opened.set()
            item = event.get("item") or {}
            if event["type"] == "thread.item.done" and item.get("type") == "assistant_message":
                self.arrived(path, item["content"][0]["text"])


async def run(conversations: int, per_conv: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"TENANTS_FILE": str(manual_assign_tenants(Path(tmp)))}
        with RunningSystem(Path(tmp) / "var", "gateway", "handoff", env=env) as system:
            sessions = await gateway_sessions(system.gateway_url, conversations)
            ws_base = system.gateway_url.replace("http://", "ws://")
            sockets = await open_sockets([f"{ws_base}/v1/ws?token={s['token']}" for s in sessions])
            arrivals = Arrivals()
            tasks = [
                asyncio.create_task(arrivals.widget(ws, s["conversation_id"]))
                for ws, s in zip(sockets, sessions, strict=True)
            ]
            samples: dict[str, list[float]] = {p: [] for p in PATHS}
            async with (
                httpx.AsyncClient(base_url=system.gateway_url, timeout=None) as gw,
                httpx.AsyncClient(base_url=system.handoff_url, timeout=30) as api,
            ):
                (await api.put("/v1/agents/me/presence", json={"status": "online"}, headers=AUTH)).raise_for_status()
                streams = []
                for session, ws in zip(sessions, sockets, strict=True):
                    conv = session["conversation_id"]
                    queued = arrivals.expect("queued", conv)
                    await ws.send(json.dumps({"type": "handoff.ask", "reason": "bench"}))
                    await asyncio.wait_for(queued, 30)
                    (await api.post(f"/v1/conversations/{conv}/claim", headers=AUTH)).raise_for_status()
                    side = await gw.send(
                        gw.build_request("GET", "/chatkit/updates", params={"thread": conv, "token": session["token"]}),
                        stream=True,
                    )
                    streams.append(side)
                    tasks.append(asyncio.create_task(arrivals.chatkit(PATHS[2], side, asyncio.Event())))
                for i in range(per_conv):
                    for session in sessions:
                        conv, headers = session["conversation_id"], {"Authorization": f"Bearer {session['token']}"}
                        # The visitor writes; the response stays open until the person answers.
                        said = UserMessageInput(
                            content=[UserMessageTextContent(text=f"visitor says {i}")],
                            attachments=[],
                            inference_options=InferenceOptions(),
                        )
                        body = ThreadsAddUserMessageReq(
                            params=ThreadAddUserMessageParams(thread_id=conv, input=said)
                        ).model_dump_json()
                        response = await gw.send(
                            gw.build_request("POST", "/chatkit", content=body, headers=headers), stream=True
                        )
                        opened = asyncio.Event()
                        reader = asyncio.create_task(arrivals.chatkit(PATHS[1], response, opened))
                        await asyncio.wait_for(opened.wait(), 30)
                        text = f"agent says {i} to {conv}"
                        futures = {p: arrivals.expect(p, text) for p in PATHS}
                        started = time.perf_counter()
                        posted = await api.post(f"/v1/conversations/{conv}/messages", json={"text": text}, headers=AUTH)
                        posted.raise_for_status()
                        for path, fut in futures.items():
                            samples[path].append(await asyncio.wait_for(fut, 30) - started)
                        await asyncio.wait_for(reader, 30)  # the person answered: the response ended
                        await response.aclose()
                for response in streams:
                    await response.aclose()
            for task in tasks:
                task.cancel()
            for ws in sockets:
                await ws.close()
    return {path: summary_ms(values) for path, values in samples.items()}


async def main(args: Any) -> dict[str, Any]:
    conversations, per_conv = (3, 5) if args.quick else (10, 20)
    measured = await run(conversations, per_conv)
    rows = [("agent message (REST API) ->", "n", "p50 ms", "p99 ms", "mean ms")]
    for path, s in measured.items():
        rows.append((path, str(s["n"]), f"{s['p50_ms']:.2f}", f"{s['p99_ms']:.2f}", f"{s['mean_ms']:.2f}"))
    print(f"{conversations} conversations in a live handoff, {per_conv} agent messages each")
    print(table(rows))
    return {"conversations": conversations, "messages_per_conversation": per_conv, **measured}
