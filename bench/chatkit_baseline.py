"""Baseline for the peers bench: the official ChatKit server SDK (`openai-chatkit`) at its minimum.

A ChatKitServer over an in-memory Store that streams the model's reply, served by uvicorn on
loopback. The model is called as Switchboard's OpenAI provider calls it (the openai SDK's raw
streaming response, parsed with the same `event_text`), with the thread's history as messages.

As a process: ``python -m bench.chatkit_baseline --port 8300 --model-url http://127.0.0.1:8099/v1``
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import uvicorn
from chatkit.server import ChatKitServer, StreamingResult
from chatkit.store import NotFoundError, Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    Attachment,
    Page,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
)
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from openai import AsyncOpenAI

from orchestrator.providers.openai_provider import event_text

SYSTEM_PROMPT = "You are the support assistant of Acme. Answer briefly."


class MemoryStore(Store[dict[str, Any]]):
    """Threads and items in dicts; attachments are not supported (the bench sends none)."""

    def __init__(self) -> None:
        self.threads: dict[str, ThreadMetadata] = {}
        self.items: dict[str, list[ThreadItem]] = defaultdict(list)

    async def load_thread(self, thread_id: str, context: dict[str, Any]) -> ThreadMetadata:
        if thread_id not in self.threads:
            raise NotFoundError(f"thread {thread_id} not found")
        return self.threads[thread_id].model_copy(deep=True)

    async def save_thread(self, thread: ThreadMetadata, context: dict[str, Any]) -> None:
        self.threads[thread.id] = thread.model_copy(deep=True)

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: dict[str, Any]
    ) -> Page[ThreadItem]:
        items = list(self.items[thread_id])
        if order == "desc":
            items.reverse()
        if after is not None:
            ids = [i.id for i in items]
            items = items[ids.index(after) + 1 :] if after in ids else []
        page = items[:limit]
        return Page(data=page, has_more=len(items) > limit, after=page[-1].id if page else None)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: dict[str, Any]) -> None:
        self.items[thread_id].append(item)

    async def save_item(self, thread_id: str, item: ThreadItem, context: dict[str, Any]) -> None:
        items = self.items[thread_id]
        for index, existing in enumerate(items):
            if existing.id == item.id:
                items[index] = item
                return
        items.append(item)

    async def load_item(self, thread_id: str, item_id: str, context: dict[str, Any]) -> ThreadItem:
        for item in self.items[thread_id]:
            if item.id == item_id:
                return item
        raise NotFoundError(f"item {item_id} not found")

    async def delete_thread(self, thread_id: str, context: dict[str, Any]) -> None:
        self.threads.pop(thread_id, None)
        self.items.pop(thread_id, None)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: dict[str, Any]) -> None:
        self.items[thread_id] = [i for i in self.items[thread_id] if i.id != item_id]

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: dict[str, Any]
    ) -> Page[ThreadMetadata]:
        threads = sorted(self.threads.values(), key=lambda t: t.created_at, reverse=order == "desc")
        return Page(data=threads[:limit], has_more=len(threads) > limit)

    async def save_attachment(self, attachment: Attachment, context: dict[str, Any]) -> None:
        raise NotImplementedError("attachments are not part of the bench")

    async def load_attachment(self, attachment_id: str, context: dict[str, Any]) -> Attachment:
        raise NotImplementedError("attachments are not part of the bench")

    async def delete_attachment(self, attachment_id: str, context: dict[str, Any]) -> None:
        raise NotImplementedError("attachments are not part of the bench")


def history_messages(items: list[ThreadItem]) -> list[dict[str, str]]:
    """The thread as chat messages: user input text and assistant output text, in order."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    for item in items:
        if isinstance(item, UserMessageItem):
            text = "".join(getattr(part, "text", "") for part in item.content)
            messages.append({"role": "user", "content": text})
        elif isinstance(item, AssistantMessageItem):
            messages.append({"role": "assistant", "content": "".join(part.text for part in item.content)})
    return messages


class ScriptedChatKit(ChatKitServer[dict[str, Any]]):
    """Streams the model's reply to each user message as assistant text deltas."""

    def __init__(self, store: MemoryStore, client: AsyncOpenAI, model: str) -> None:
        super().__init__(store)
        self.client = client
        self.model = model

    async def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: dict[str, Any]
    ) -> AsyncIterator[ThreadStreamEvent]:
        history = await self.store.load_thread_items(thread.id, None, 100, "asc", context)
        item = AssistantMessageItem(
            id=self.store.generate_item_id("message", thread, context),
            thread_id=thread.id,
            created_at=datetime.now(),
            content=[],
        )
        yield ThreadItemAddedEvent(item=item)
        yield ThreadItemUpdatedEvent(
            item_id=item.id,
            update=AssistantMessageContentPartAdded(content_index=0, content=AssistantMessageContent(text="")),
        )
        parts: list[str] = []
        request = self.client.chat.completions.with_streaming_response.create(
            model=self.model,
            messages=history_messages(history.data),  # type: ignore[arg-type]
            stream=True,
        )
        async with request as response:
            async for line in response.iter_lines():
                if text := event_text(line, response.http_request):
                    parts.append(text)
                    yield ThreadItemUpdatedEvent(
                        item_id=item.id, update=AssistantMessageContentPartTextDelta(content_index=0, delta=text)
                    )
        content = AssistantMessageContent(text="".join(parts))
        yield ThreadItemUpdatedEvent(
            item_id=item.id, update=AssistantMessageContentPartDone(content_index=0, content=content)
        )
        yield ThreadItemDoneEvent(item=item.model_copy(update={"content": [content]}))


def create_app(model_url: str, model: str = "scripted") -> FastAPI:
    client = AsyncOpenAI(base_url=model_url, api_key="bench", max_retries=1)
    server = ScriptedChatKit(MemoryStore(), client, model)
    app = FastAPI()

    @app.post("/chatkit")
    async def chatkit(request: Request) -> Response:
        result = await server.process(await request.body(), {})
        if isinstance(result, StreamingResult):
            return StreamingResponse(result, media_type="text/event-stream")
        return Response(content=result.json, media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"threads": len(server.store.threads)})  # type: ignore[attr-defined]

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model-url", required=True, help="an OpenAI-compatible base URL ending in /v1")
    args = parser.parse_args()
    uvicorn.run(create_app(args.model_url), host="127.0.0.1", port=args.port, log_level="warning", backlog=4096)


if __name__ == "__main__":
    main()
