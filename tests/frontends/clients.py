"""Test clients that speak the front-end protocols with the protocols' own types (openai-chatkit, ag-ui)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from chatkit.types import (
    InferenceOptions,
    ThreadStreamEvent,
    UserMessageInput,
    UserMessageTextContent,
)
from pydantic import TypeAdapter

EVENT = TypeAdapter[ThreadStreamEvent](ThreadStreamEvent)
TIMEOUT = 20.0


def message(text: str) -> UserMessageInput:
    return UserMessageInput(
        content=[UserMessageTextContent(text=text)], attachments=[], inference_options=InferenceOptions()
    )


async def sse_data(response: httpx.Response) -> AsyncIterator[str]:
    """The ``data:`` payloads of a server-sent event stream (comments skipped)."""
    async for line in response.aiter_lines():
        if line.startswith("data: "):
            yield line[len("data: ") :]


class EventStream:
    """An open ChatKit event stream; every event is parsed with openai-chatkit's ThreadStreamEvent."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.events: list[Any] = []
        self._lines = sse_data(response)

    async def next(self) -> Any:
        data = await asyncio.wait_for(anext(self._lines), TIMEOUT)
        event = EVENT.validate_json(data)
        self.events.append(event)
        return event

    async def until(self, predicate: Any) -> Any:
        while True:
            event = await self.next()
            if predicate(event):
                return event

    async def rest(self) -> list[Any]:
        """Everything up to the end of the stream."""
        async with asyncio.timeout(TIMEOUT):
            async for data in self._lines:
                self.events.append(EVENT.validate_json(data))
        return self.events


class ChatKitClient:
    def __init__(self, http: httpx.AsyncClient, token: str, conversation_id: str) -> None:
        self.http = http
        self.token = token
        self.conversation_id = conversation_id
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(self, request: Any) -> Any:
        """A non-streaming request (typed request model in, JSON out)."""
        response = await self.http.post("/chatkit", content=request.model_dump_json(), headers=self.headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        return response.json()

    @asynccontextmanager
    async def stream(self, request: Any) -> AsyncIterator[EventStream]:
        body = request.model_dump_json()
        async with self.http.stream("POST", "/chatkit", content=body, headers=self.headers, timeout=None) as response:
            assert response.status_code == 200, (await response.aread()).decode()
            assert response.headers["content-type"].startswith("text/event-stream")
            yield EventStream(response)

    async def run(self, request: Any) -> list[Any]:
        async with self.stream(request) as events:
            return await events.rest()

    @asynccontextmanager
    async def updates(self, thread_id: str, **params: Any) -> AsyncIterator[EventStream]:
        query = {"thread": thread_id, "token": self.token, **params}
        async with self.http.stream("GET", "/chatkit/updates", params=query, timeout=None) as response:
            assert response.status_code == 200, (await response.aread()).decode()
            yield EventStream(response)


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
