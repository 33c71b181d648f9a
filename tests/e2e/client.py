"""A widget-side client for end-to-end tests: session call + WebSocket, with helpers to wait for frames."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import websockets

Frame = dict[str, Any]


class WidgetClient:
    """What the widget does, over real HTTP and a real WebSocket."""

    def __init__(self, gateway_url: str, widget_key: str = "pk_demo_acme") -> None:
        self.gateway_url = gateway_url
        self.widget_key = widget_key
        self.session: dict[str, Any] = {}
        self.ws: websockets.ClientConnection | None = None
        self.frames: list[Frame] = []
        self._new = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None
        self.closed = False

    async def open_session(self, previous_token: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"widget_key": self.widget_key}
        if previous_token:
            body["previous_token"] = previous_token
        async with httpx.AsyncClient() as http:
            response = await http.post(f"{self.gateway_url}/v1/session", json=body)
        response.raise_for_status()
        self.session = response.json()
        return self.session

    @property
    def conversation_id(self) -> str:
        return self.session["conversation_id"]

    async def connect(self, after_seq: int | None = None) -> None:
        if not self.session:
            await self.open_session()
        ws_base = self.gateway_url.replace("http://", "ws://")
        url = f"{ws_base}/v1/ws?token={self.session['token']}"
        if after_seq is not None:
            url += f"&after_seq={after_seq}"
        self.ws = await websockets.connect(url, max_size=2**22)
        self.closed = False
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                async with self._new:
                    self.frames.append(frame)
                    self._new.notify_all()
        except websockets.ConnectionClosed:
            pass
        finally:
            async with self._new:
                self.closed = True
                self._new.notify_all()

    async def send(self, frame: Frame) -> None:
        assert self.ws is not None
        await self.ws.send(json.dumps(frame))

    async def say(self, text: str, client_id: str | None = None) -> str:
        client_id = client_id or uuid.uuid4().hex
        await self.send({"type": "message.send", "client_id": client_id, "text": text})
        return client_id

    async def wait_for(self, predicate: Callable[[Frame], bool], timeout: float = 30.0, start: int = 0) -> Frame:
        """The first frame (from index `start`) matching `predicate`, waiting for it if needed."""
        async with asyncio.timeout(timeout), self._new:
            while True:
                for frame in self.frames[start:]:
                    if predicate(frame):
                        return frame
                await self._new.wait()

    async def wait_or_closed(
        self, predicate: Callable[[Frame], bool], timeout: float = 30.0, start: int = 0
    ) -> Frame | None:
        """Like `wait_for`, but None as soon as the server closes the socket without such a frame."""
        async with asyncio.timeout(timeout), self._new:
            while True:
                for frame in self.frames[start:]:
                    if predicate(frame):
                        return frame
                if self.closed:
                    return None
                await self._new.wait()

    async def reconnect(self) -> None:
        """What the widget does after a drop: a new socket resuming after the last seq seen (frames kept)."""
        await self.close()
        await self.connect(after_seq=self.last_seq)

    async def wait_type(self, kind: str, timeout: float = 30.0, start: int = 0, **fields: Any) -> Frame:
        return await self.wait_for(
            lambda f: f.get("type") == kind and all(f.get(k) == v for k, v in fields.items()), timeout, start
        )

    def of_type(self, kind: str) -> list[Frame]:
        return [f for f in self.frames if f.get("type") == kind]

    def text_of(self, message_id: str) -> str:
        """The reply text as the widget builds it from deltas: text[:offset] + delta."""
        text = ""
        for f in self.frames:
            if f.get("type") == "message.delta" and f.get("message_id") == message_id:
                text = text[: f["offset"]] + f["text"]
        return text

    @property
    def last_seq(self) -> int:
        return max((f["seq"] for f in self.frames if isinstance(f.get("seq"), int)), default=0)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await self._reader


async def reload_until_answered(gateway_url: str, session: dict[str, Any], reply_to: str) -> WidgetClient:
    """A page reload: a new socket on the same session replays from seq 0 until `reply_to` is answered."""
    reloaded = WidgetClient(gateway_url)
    reloaded.session = session
    await reloaded.connect(after_seq=0)
    try:
        await reloaded.wait_type("message.completed", reply_to=reply_to)
    finally:
        await reloaded.close()
    return reloaded
