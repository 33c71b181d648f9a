"""``POST /chatkit`` (the ChatKit protocol) and ``GET /chatkit/updates`` (the live side channel)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Annotated

from chatkit.store import NotFoundError
from chatkit.types import (
    AttachmentsCreateReq,
    AttachmentsDeleteReq,
    ChatKitReq,
    ErrorCode,
    ErrorEvent,
    InputTranscribeReq,
    ItemsFeedbackReq,
    ThreadItem,
    ThreadsAddClientToolOutputReq,
    ThreadsAddStructuredInputReq,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    ThreadsCustomActionReq,
    ThreadsDeleteReq,
    ThreadsSyncCustomActionReq,
    ThreadStreamEvent,
    UserMessageInput,
)
from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.background import BackgroundTask

from gateway.chatkit.access import Caller, ThreadNotFound, caller_of
from gateway.chatkit.follow import Behind, Follow
from gateway.chatkit.store import BusStore, Unsupported
from gateway.chatkit.stream import Translator
from shared.widget_protocol import MAX_TEXT_CHARS

if TYPE_CHECKING:
    from gateway.chatkit.server import SwitchboardChatKit

log = logging.getLogger(__name__)
router = APIRouter(tags=["chatkit"])
STORE = BusStore()
REQUEST = TypeAdapter[ChatKitReq](ChatKitReq)
HEARTBEAT_S = 15.0
# Requests our history cannot serve: refused before anything is streamed (docs/frontends.md).
UNSUPPORTED = (
    AttachmentsCreateReq,
    AttachmentsDeleteReq,
    InputTranscribeReq,
    ThreadsAddClientToolOutputReq,
    ThreadsAddStructuredInputReq,
    ThreadsDeleteReq,
    ThreadsSyncCustomActionReq,
)
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@router.post(
    "/chatkit",
    responses={
        200: {
            "description": "JSON for reads; `text/event-stream` of ChatKit ThreadStreamEvents for streaming requests.",
            "content": {"text/event-stream": {}},
        }
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A ChatKit request (openai-chatkit `chatkit.types.ChatKitReq`), e.g. "
            '`{"type": "threads.create", "params": {"input": {...}}}`.',
            "content": {"application/json": {"schema": {"type": "object", "required": ["type"]}}},
        }
    },
)
async def chatkit(request: Request) -> Response:
    """The ChatKit protocol (openai-chatkit's requests and events) for the visitor of the bearer token.

    Threads are the visitor's conversations; see docs/frontends.md for the mapping.
    """
    caller = caller_of(request)
    body = await request.body()
    try:
        parsed = REQUEST.validate_json(body)
    except ValidationError as exc:
        raise HTTPException(400, f"Expected a ChatKit request, got: {_short(exc)}") from exc
    if isinstance(parsed, UNSUPPORTED):
        raise HTTPException(
            400, f"Expected a request this server supports, got {parsed.type!r} (see docs/frontends.md)"
        )
    thread_id = getattr(parsed.params, "thread_id", None)
    if isinstance(thread_id, str) and not await caller.owns(thread_id):
        raise HTTPException(404, f"Expected a thread of this visitor, got {thread_id!r}")
    if isinstance(parsed, ThreadsCreateReq | ThreadsAddUserMessageReq):
        _check_input(parsed.params.input)
    if isinstance(parsed, ThreadsCreateReq):
        caller.new_thread = await caller.new_thread_id()
        await caller.count_message(caller.new_thread)
    elif isinstance(parsed, ThreadsAddUserMessageReq | ThreadsCustomActionReq):
        await caller.count_message(parsed.params.thread_id)
    elif isinstance(parsed, ItemsFeedbackReq):
        for _ in parsed.params.item_ids:  # one stored feedback event each, as one socket frame each
            await caller.count_message(parsed.params.thread_id)
    try:
        result = await chatkit_server().process(body, caller)
    except (Unsupported, NotImplementedError) as exc:
        raise HTTPException(400, str(exc) or "Not supported by this server") from exc
    except (NotFoundError, ThreadNotFound) as exc:
        raise HTTPException(404, str(exc)) from exc
    except ValidationError as exc:  # e.g. an item id our feedback cannot carry
        raise HTTPException(400, f"Expected valid ids and values, got: {_short(exc)}") from exc
    from chatkit.server import StreamingResult  # loaded with the server above

    if isinstance(result, StreamingResult):
        return StreamingResponse(
            with_heartbeats(result, on_end=caller.close), media_type="text/event-stream", headers=SSE_HEADERS
        )
    return Response(result.json, media_type="application/json")


@functools.cache
def chatkit_server() -> SwitchboardChatKit:
    """The ChatKit server, imported on first use: openai-chatkit's server module loads openai-agents
    (seconds and tens of MB), which a gateway whose tenants never use ChatKit does not need."""
    from gateway.chatkit.server import SwitchboardChatKit

    return SwitchboardChatKit()


def _check_input(message: UserMessageInput) -> None:
    if message.attachments:
        raise HTTPException(400, "Expected no attachments: this server does not support them (see docs/frontends.md)")
    text = "\n".join(getattr(part, "text", "") for part in message.content).strip()
    if not text:
        raise HTTPException(400, "Expected message text, got none")
    if len(text) > MAX_TEXT_CHARS:
        raise HTTPException(413, f"Expected at most {MAX_TEXT_CHARS} characters, got {len(text)}")


@router.get("/chatkit/updates", response_class=StreamingResponse)
async def chatkit_updates(
    request: Request,
    thread: Annotated[str, Query(description="The thread (conversation) to follow.")],
    after_seq: Annotated[int | None, Query(ge=0, lt=2**63, description="Replay stored events after this seq.")] = None,
    last_event_id: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> StreamingResponse:
    """Server-sent ChatKit ThreadStreamEvents of one thread as they happen, without the client asking.

    Agent joined/left, what the agent says and types, handoff queued, proactive messages. Each
    event is ``data: <ThreadStreamEvent JSON>`` with ``id: <seq>`` for stored events, so
    EventSource resumes after a reconnect. A host page calls ChatKit's ``fetchUpdates()`` on each.
    Authenticate with ``?token=`` (EventSource cannot send headers) or a bearer header.
    """
    caller = caller_of(request)
    try:
        await caller.require(thread)
    except ThreadNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    resume = int(last_event_id) if last_event_id and last_event_id.isdigit() else after_seq
    # Subscribed before the response starts: nothing published after the client sees 200 is missed.
    follow = Follow(caller.gateway, caller.visitor(thread))
    await follow.__aenter__()
    try:
        await follow.start(resume)
    except BaseException:
        await follow.__aexit__()
        raise
    return StreamingResponse(
        _updates(caller, thread, follow),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
        background=BackgroundTask(follow.__aexit__),  # also when the stream is never iterated
    )


async def _updates(caller: Caller, thread_id: str, follow: Follow) -> AsyncIterator[bytes]:
    async def load_item(item_id: str) -> ThreadItem | None:
        try:
            return await STORE.load_item(thread_id, item_id, caller)
        except NotFoundError:
            return None

    translator = Translator(thread_id, load_item)
    try:
        yield b": following\n\n"
        while True:
            try:
                followed = await follow.next(HEARTBEAT_S)
            except Behind:
                return  # the client reconnects with Last-Event-ID and resumes
            if followed is None:
                yield b": keepalive\n\n"
                continue
            head = f"id: {followed.seq}\n" if followed.seq is not None else ""
            for event in await translator.translate(followed.event):
                yield f"{head}data: {serialize(event)}\n\n".encode()
    finally:
        await follow.__aexit__()


def serialize(event: ThreadStreamEvent | BaseModel) -> str:
    """As ChatKitServer serializes its events."""
    return event.model_dump_json(by_alias=True, exclude_none=True, context={"exclude_metadata": True})


async def with_heartbeats(
    chunks: AsyncIterable[bytes], every: float = HEARTBEAT_S, on_end: Callable[[], Awaitable[None]] | None = None
) -> AsyncIterator[bytes]:
    """The chunks, with an SSE comment after each ``every`` seconds of silence (an open handoff may be quiet).

    One task drives the whole stream (ChatKit's server enters context variables it must leave
    in the same context); this generator only waits on what it produces.
    """
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=64)

    async def produce() -> None:
        try:
            async for chunk in chunks:
                await queue.put(chunk)
        finally:
            if on_end is not None:
                await on_end()
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)  # if full, the reader sees the producer done once it drained

    producer = asyncio.create_task(produce())
    try:
        while True:
            try:
                async with asyncio.timeout(every):
                    chunk = await queue.get()
            except TimeoutError:
                if not (producer.done() and queue.empty()):
                    yield b": keepalive\n\n"
                    continue
                chunk = None
            if chunk is None:
                if (failure := producer.exception()) is not None:
                    # E.g. the bus refused the visitor's message: say so in the protocol, not by a cut stream.
                    log.warning("ChatKit stream failed: %r", failure)
                    error = ErrorEvent(code=ErrorCode.STREAM_ERROR, allow_retry=True)
                    yield f"data: {serialize(error)}\n\n".encode()
                return
            yield chunk
    finally:
        producer.cancel()
        with contextlib.suppress(BaseException):
            await producer


def _short(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3])
