"""Baseline for the gateway bench: a bare Starlette WebSocket server under the same uvicorn.

It holds sockets and pushes frames it is told to push, with no auth, no bus and no
per-socket state beyond the socket itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

SOCKETS: dict[str, WebSocket] = {}


async def ws_endpoint(websocket: WebSocket) -> None:
    await websocket.accept()
    key = websocket.query_params["id"]
    SOCKETS[key] = websocket
    await websocket.send_json({"type": "hello"})
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()
    SOCKETS.pop(key, None)


async def push(request: Request) -> JSONResponse:
    body = await request.json()
    ids, count, frame = body["ids"], body["count"], body["frame"]

    async def send_all(ws: WebSocket) -> None:
        for i in range(count):
            await ws.send_json({**frame, "offset": i})

    await asyncio.gather(*(send_all(SOCKETS[i]) for i in ids if i in SOCKETS))
    return JSONResponse({"ok": True})


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"sockets": len(SOCKETS)})


app = Starlette(
    routes=[WebSocketRoute("/ws", ws_endpoint), Route("/push", push, methods=["POST"]), Route("/healthz", healthz)]
)

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", backlog=4096)
