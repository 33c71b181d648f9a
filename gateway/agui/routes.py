"""``POST /agui`` (AG-UI over SSE) and ``/agui/ws`` (the same events over one WebSocket)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

from ag_ui.core import RunAgentInput, RunFinishedEvent, RunStartedEvent, StateSnapshotEvent
from fastapi import APIRouter, HTTPException, Request, WebSocket
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from gateway.agui.runs import BadRun, Timing, check, encode, newest_user_text, publish, run_events, user_event
from gateway.agui.translate import RunTranslator, state_of
from gateway.chatkit.access import Caller, caller_of
from gateway.chatkit.follow import Follow, handoff_event
from gateway.chatkit.watch import ReplyWatch
from gateway.limits import Limited
from shared.events import HandoffAccepted, HandoffQueued
from shared.widget_protocol import CloseCode

log = logging.getLogger(__name__)
router = APIRouter(tags=["agui"])
TIMING = Timing()
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def _run_input(caller: Caller, data: Any) -> RunAgentInput:
    try:
        run = RunAgentInput.model_validate(data)
        check(run)
    except ValidationError as exc:
        raise BadRun(
            f"Expected an AG-UI RunAgentInput, got: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}"
        ) from exc
    if not await caller.claimable(run.thread_id):
        raise PermissionError(f"Expected a thread of this visitor (or a new one), got {run.thread_id!r}")
    return run


@router.post(
    "/agui",
    response_class=StreamingResponse,
    responses={200: {"description": "AG-UI events as server-sent events.", "content": {"text/event-stream": {}}}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "An AG-UI RunAgentInput (ag-ui-protocol): threadId, runId, messages (the newest user "
            "message is sent), tools, context, state, forwardedProps.",
            "content": {
                "application/json": {"schema": {"type": "object", "required": ["threadId", "runId", "messages"]}}
            },
        }
    },
)
async def agui(request: Request) -> StreamingResponse:
    """Run the conversation (threadId) with the newest user message; AG-UI events as server-sent events.

    Authenticate with the visitor token of POST /v1/session (`Authorization: Bearer`).
    """
    caller = caller_of(request)
    try:
        run = await _run_input(caller, json.loads(await request.body()))
    except (ValueError, BadRun) as exc:
        raise HTTPException(400, str(exc)) from exc
    except PermissionError as exc:
        raise HTTPException(404, str(exc)) from exc
    if newest_user_text(run) is not None:
        await caller.count_message(run.thread_id)  # 429 with Retry-After when over the tenant's limits
    return StreamingResponse(_sse(caller, run), media_type="text/event-stream", headers=SSE_HEADERS)


async def _sse(caller: Caller, run: RunAgentInput) -> AsyncIterator[str]:
    async for event in run_events(caller, run, TIMING):
        yield encode(event)


@router.websocket("/agui/ws")
async def agui_socket(websocket: WebSocket) -> None:
    """Send RunAgentInput JSON frames, receive AG-UI event JSON frames; events between runs
    (a person's messages during a handoff, proactive messages) arrive as they happen.
    ``?token=`` is the visitor token; ``?thread=`` the conversation (default: the token's)."""
    await websocket.accept()
    try:
        caller = caller_of(websocket)
    except HTTPException as exc:
        await websocket.close(CloseCode.UNAUTHORIZED if exc.status_code == 401 else CloseCode.FORBIDDEN, exc.detail)
        return
    thread = websocket.query_params.get("thread") or caller.claims.conversation
    if not await caller.claimable(thread):
        await websocket.close(CloseCode.FORBIDDEN, "thread not yours")
        return
    ip = websocket.client.host if websocket.client else ""
    limits, where = caller.gateway.limits, (caller.tenant.id, thread, uuid.uuid4().hex, ip)
    try:  # one limit with the widget sockets of the conversation
        await limits.open_socket(caller.tenant.limits, *where)
    except Limited as exc:
        await limits.close_socket(*where)  # a lease it may have got before the refusal
        refusal = f"Too many sockets open; retry after {exc.retry_after_s} s"
        await websocket.send_text(json.dumps({"type": "RUN_ERROR", "message": refusal, "code": "rate_limited"}))
        await websocket.close(CloseCode.TRY_AGAIN_LATER, refusal)
        return
    lease = asyncio.create_task(limits.keep_socket(caller.tenant.limits, *where))
    try:
        await _Socket(websocket, caller, thread).serve()
    finally:
        lease.cancel()
        await limits.close_socket(*where)


class _Socket:
    """One follow of the conversation for the socket's life, relayed in order through one translator;
    a run only marks where RUN_STARTED and RUN_FINISHED go."""

    def __init__(self, websocket: WebSocket, caller: Caller, thread: str) -> None:
        self.websocket = websocket
        self.caller = caller
        self.thread = thread
        self.translator = RunTranslator(thread)
        self.outgoing: asyncio.Queue[str] = asyncio.Queue()
        self.run: RunAgentInput | None = None
        self.watch: ReplyWatch | None = None

    async def serve(self) -> None:
        async with Follow(self.caller.gateway, self.caller.visitor(self.thread)) as follow:
            await follow.start(None)
            tasks = [asyncio.create_task(t) for t in (self._send(), self._receive(), self._relay(follow))]
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                with contextlib.suppress(Exception):
                    await self.websocket.close()

    async def _send(self) -> None:
        while True:
            await self.websocket.send_text(await self.outgoing.get())

    def _put(self, event: Any) -> None:
        self.outgoing.put_nowait(event.model_dump_json(by_alias=True, exclude_none=True))

    async def _receive(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                raw = await self.websocket.receive_text()
                try:
                    data = json.loads(raw)
                    data.setdefault("threadId", self.thread)
                    run = await _run_input(self.caller, data)
                    if run.thread_id != self.thread:
                        raise BadRun(f"Expected threadId {self.thread!r} on this socket, got {run.thread_id!r}")
                except (ValueError, AttributeError, BadRun, PermissionError) as exc:
                    self.outgoing.put_nowait(
                        json.dumps({"type": "RUN_ERROR", "message": str(exc), "code": "bad_input"})
                    )
                    continue
                await self._start(run)

    async def _start(self, run: RunAgentInput) -> None:
        if newest_user_text(run) is not None:
            try:
                await self.caller.count_message(self.thread)
            except HTTPException as exc:  # over the tenant's message limits: not stored, not started
                error = {"type": "RUN_ERROR", "message": exc.detail, "code": "rate_limited"}
                self.outgoing.put_nowait(json.dumps(error))
                return
        if self.run is not None:
            self._finish()  # a new run ends the one still waiting
        self.run = run
        self._put(RunStartedEvent(thread_id=run.thread_id, run_id=run.run_id))
        event = user_event(self.caller, run)
        # Watching before publishing: the relay may see the reply before the publish returns.
        watch = self.watch = ReplyWatch(event.message_id if event else None)
        watch.live = True  # until the state is read
        await publish(self.caller, event)
        latest = await handoff_event(self.caller.gateway.js, self.caller.visitor(self.thread))
        self._put(StateSnapshotEvent(snapshot=state_of(self.thread, latest)))
        if self.watch is watch:
            # The stream's latest handoff event counts any the relay saw meanwhile.
            watch.live = isinstance(latest, HandoffQueued | HandoffAccepted)
            if watch.finished:
                self._finish()

    def _finish(self) -> None:
        assert self.run is not None
        for event in self.translator.close_open():
            self._put(event)
        self._put(RunFinishedEvent(thread_id=self.run.thread_id, run_id=self.run.run_id))
        self.run, self.watch = None, None

    async def _relay(self, follow: Follow) -> None:
        while True:
            followed = await follow.next(None)
            if followed is None:
                continue
            for event in self.translator.translate(followed.event):
                self._put(event)
            if self.watch is not None:
                self.watch.see(followed.event)
                if self.watch.finished:
                    self._finish()
