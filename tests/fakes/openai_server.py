"""A small OpenAI-compatible server streaming scripted replies, for tests and benches.

In-process (this event loop)::

    async with FakeOpenAI(replies=["Hello there."]) as fake:
        client = AsyncOpenAI(base_url=fake.base_url, api_key="x")
        ...
    fake.requests  # every request body received

    async with fake_openai("Hello there.") as base_url: ...  # when only the URL matters

A reply may call tools instead (streamed as tool-call deltas, several calls interleaved by index,
``finish_reason: tool_calls``)::

    FakeOpenAI(replies=[ToolCallsReply([("search_products", {"query": "tents"})]), "Here they are."])

In a background thread (sync code, or another process pointed at it)::

    with FakeOpenAIThread(replies=["Hello there."]) as fake: ...

Embeddings (``/v1/embeddings``): a hashed bag of words per input by default, or ``embed=``
any function of the text; each request body is in ``embedding_requests``::

    FakeOpenAI(embed=lambda text: [1.0, 0.0] if "refund" in text else [0.0, 1.0])

As a process: ``python -m tests.fakes.openai_server --port 8099 --reply "Hello there."``
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from services.nats_embedded import free_port


@dataclass
class ToolCallsReply:
    """The model calls these tools (name, arguments), after saying ``text`` if any."""

    calls: list[tuple[str, dict[str, Any]]]
    text: str = ""
    ids: list[str] = field(default_factory=list)  # filled when streamed: the call ids sent


Answer = str | ToolCallsReply
Reply = Answer | Callable[[list[dict[str, Any]]], Answer]
Embed = Callable[[str], list[float]]
DEFAULT_REPLY = "This is a scripted reply."
CHUNK_RE = re.compile(r"\S+\s*|\s+")
EMBED_DIMENSIONS = 64


def bag_of_words(text: str) -> list[float]:
    """A unit vector: each lower-case word (a trailing "s" dropped) hashed to one of EMBED_DIMENSIONS."""
    vector = [0.0] * EMBED_DIMENSIONS
    for word in re.findall(r"\w+", text.lower()):
        word = word[:-1] if len(word) > 3 and word.endswith("s") else word
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % EMBED_DIMENSIONS] += 1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def chunk_text(text: str) -> list[str]:
    """Split like a tokenizer roughly would: one word with its trailing space per chunk."""
    return CHUNK_RE.findall(text) or [""]


class Script:
    """What the fake answers: replies consumed in order (the last one repeats), or a function of the messages."""

    def __init__(
        self, replies: Sequence[Reply] | Reply = DEFAULT_REPLY, chunk_delay: float = 0.0, embed: Embed | None = None
    ) -> None:
        single = isinstance(replies, str | ToolCallsReply) or callable(replies)
        self.replies: list[Reply] = [replies] if single else list(replies)  # type: ignore[list-item]
        self.chunk_delay = chunk_delay
        self.embed = embed or bag_of_words
        self.requests: list[dict[str, Any]] = []
        self.embedding_requests: list[dict[str, Any]] = []
        self._next = 0

    def reply_for(self, messages: list[dict[str, Any]]) -> Answer:
        if not self.replies:
            return DEFAULT_REPLY
        reply = self.replies[min(self._next, len(self.replies) - 1)]
        self._next += 1
        return reply(messages) if callable(reply) else reply


def _pieces(text: str, n: int = 3) -> list[str]:
    """``text`` in ``n`` roughly equal pieces (arguments arrive in fragments, as from a real model)."""
    size = max(1, -(-len(text) // n))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def tool_call_deltas(reply: ToolCallsReply, prefix: str) -> list[dict[str, Any]]:
    """The deltas streaming ``reply``'s calls: each named first, then argument fragments, calls interleaved."""
    reply.ids = [f"call_{prefix}_{i}" for i in range(len(reply.calls))]
    heads = [
        {
            "tool_calls": [
                {"index": i, "id": reply.ids[i], "type": "function", "function": {"name": name, "arguments": ""}}
            ]
        }
        for i, (name, _) in enumerate(reply.calls)
    ]
    fragments = [_pieces(json.dumps(arguments)) for _, arguments in reply.calls]
    rest = [
        {"tool_calls": [{"index": i, "function": {"arguments": parts[k]}}]}
        for k in range(max(map(len, fragments), default=0))
        for i, parts in enumerate(fragments)
        if k < len(parts)
    ]
    return heads + rest


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
        answer = script.reply_for(body.get("messages", []))
        text = answer.text if isinstance(answer, ToolCallsReply) else answer
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
        calls = tool_call_deltas(answer, cid[-6:]) if isinstance(answer, ToolCallsReply) else []
        finish = "tool_calls" if calls else "stop"
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": text}
            if isinstance(answer, ToolCallsReply):
                message["tool_calls"] = [
                    {"id": i, "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
                    for i, (n, a) in zip(answer.ids, answer.calls, strict=True)
                ]
            return JSONResponse(
                {
                    "id": cid,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
                    "usage": {"prompt_tokens": 0, "completion_tokens": len(chunk_text(text)), "total_tokens": 0},
                }
            )

        async def events() -> AsyncIterator[str]:
            yield _chunk(cid, model, created, {"role": "assistant", "content": ""})
            for piece in chunk_text(text) if text else []:
                if script.chunk_delay:
                    await asyncio.sleep(script.chunk_delay)
                yield _chunk(cid, model, created, {"content": piece})
            for delta in calls:
                yield _chunk(cid, model, created, delta)
            yield _chunk(cid, model, created, {}, finish=finish)
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "tests"}]})

    async def embeddings(request: Request) -> Response:
        body = await request.json()
        script.embedding_requests.append(body)
        inputs = body.get("input", [])
        texts = [inputs] if isinstance(inputs, str) else list(inputs)
        data = [{"object": "embedding", "index": i, "embedding": script.embed(t)} for i, t in enumerate(texts)]
        usage = {"prompt_tokens": sum(len(t.split()) for t in texts), "total_tokens": 0}
        return JSONResponse({"object": "list", "data": data, "model": body.get("model", "fake-embed"), "usage": usage})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", completions, methods=["POST"]),
            Route("/v1/embeddings", embeddings, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
        ]
    )


class FakeOpenAI:
    """Runs the fake in this event loop on a free port; ``base_url`` ends in ``/v1``."""

    def __init__(
        self,
        replies: Sequence[Reply] | Reply = DEFAULT_REPLY,
        chunk_delay: float = 0.0,
        port: int | None = None,
        embed: Embed | None = None,
    ) -> None:
        self.script = Script(replies, chunk_delay, embed)
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
        self,
        replies: Sequence[Reply] | Reply = DEFAULT_REPLY,
        chunk_delay: float = 0.0,
        port: int | None = None,
        embed: Embed | None = None,
    ) -> None:
        self.script = Script(replies, chunk_delay, embed)
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
