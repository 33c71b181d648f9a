"""A small OpenAI-compatible server streaming scripted replies, for tests and benches.

In-process (this event loop)::

    async with FakeOpenAI(replies=["Hello there."]) as fake:
        client = AsyncOpenAI(base_url=fake.base_url, api_key="x")
        ...
    fake.requests  # every request body received

    async with fake_openai("Hello there.") as base_url: ...  # when only the URL matters

In a background thread (sync code, or another process pointed at it)::

    with FakeOpenAIThread(replies=["Hello there."]) as fake: ...

As a process: ``python -m tests.fakes.openai_server --port 8099 --reply "Hello there."``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from services.nats_embedded import free_port

Reply = str | Callable[[list[dict[str, Any]]], str]
DEFAULT_REPLY = "This is a scripted reply."
CHUNK_RE = re.compile(r"\S+\s*|\s+")


def chunk_text(text: str) -> list[str]:
    """Split like a tokenizer roughly would: one word with its trailing space per chunk."""
    return CHUNK_RE.findall(text) or [""]


class Script:
    """What the fake answers: replies consumed in order (the last one repeats), or a function of the messages."""

    def __init__(self, replies: Sequence[Reply] | Reply = DEFAULT_REPLY, chunk_delay: float = 0.0) -> None:
        self.replies: list[Reply] = [replies] if isinstance(replies, str) or callable(replies) else list(replies)
        self.chunk_delay = chunk_delay
        self.requests: list[dict[str, Any]] = []
        self._next = 0

    def reply_for(self, messages: list[dict[str, Any]]) -> str:
        if not self.replies:
            return DEFAULT_REPLY
        reply = self.replies[min(self._next, len(self.replies) - 1)]
        self._next += 1
        return reply(messages) if callable(reply) else reply


def _chunk(cid: str, model: str, created: int, delta: dict[str, Any], finish: str | None = None) -> str:
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n"


def create_app(script: Script) -> Starlette:
    async def completions(request: Request) -> Response:
        body = await request.json()
        script.requests.append(body)
        model = body.get("model", "fake-model")
        text = script.reply_for(body.get("messages", []))
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
        if not body.get("stream"):
            return JSONResponse(
                {
                    "id": cid,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "logprobs": None,
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 0, "completion_tokens": len(chunk_text(text)), "total_tokens": 0},
                }
            )

        async def events() -> AsyncIterator[str]:
            yield _chunk(cid, model, created, {"role": "assistant", "content": ""})
            for piece in chunk_text(text):
                if script.chunk_delay:
                    await asyncio.sleep(script.chunk_delay)
                yield _chunk(cid, model, created, {"content": piece})
            yield _chunk(cid, model, created, {}, finish="stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "tests"}]})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", completions, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
        ]
    )


class FakeOpenAI:
    """Runs the fake in this event loop on a free port; ``base_url`` ends in ``/v1``."""

    def __init__(
        self, replies: Sequence[Reply] | Reply = DEFAULT_REPLY, chunk_delay: float = 0.0, port: int | None = None
    ) -> None:
        self.script = Script(replies, chunk_delay)
        self.port = port or free_port()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.script.requests

    async def __aenter__(self) -> FakeOpenAI:
        config = uvicorn.Config(
            create_app(self.script),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=5,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # surfaces the startup error
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task


@asynccontextmanager
async def fake_openai(replies: Sequence[Reply] | Reply = DEFAULT_REPLY, chunk_delay: float = 0.0) -> AsyncIterator[str]:
    """The fake's base URL while it runs in this event loop."""
    async with FakeOpenAI(replies, chunk_delay) as fake:
        yield fake.base_url


class FakeOpenAIThread:
    """The same server on its own thread and event loop; a plain ``with`` block."""

    def __init__(
        self, replies: Sequence[Reply] | Reply = DEFAULT_REPLY, chunk_delay: float = 0.0, port: int | None = None
    ) -> None:
        self.script = Script(replies, chunk_delay)
        self.port = port or free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.script.requests

    def __enter__(self) -> FakeOpenAIThread:
        config = uvicorn.Config(
            create_app(self.script),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=5,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fake-openai", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"fake OpenAI server did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="OpenAI-compatible server streaming scripted replies.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--reply", action="append", help="A reply; repeat for several, consumed in order.")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="Seconds between streamed chunks.")
    args = parser.parse_args(argv)
    script = Script(args.reply or DEFAULT_REPLY, args.chunk_delay)
    uvicorn.run(create_app(script), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
