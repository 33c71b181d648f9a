"""The widget WebSocket: authenticate, deliver the conversation, and turn visitor frames into events."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketState

from gateway import commands, delivery
from gateway.admission import Refused, admit
from gateway.commands import Visitor
from gateway.context import Gateway, gateway_of
from gateway.frames import FrameError, FrameTooBig, parse_frame, printable
from gateway.limits import Limited
from gateway.nudges import Activity, run_nudges
from gateway.ownership import NotYours, check_recorded_owner
from gateway.ratelimit import FloodGuard, Verdict
from gateway.welcome import send_welcome
from shared import metrics, tracing
from shared.logging import bound_contextvars
from shared.tenants import Tenant
from shared.widget_protocol import (
    CloseCode,
    Error,
    ErrorCode,
    Heartbeat,
    Hello,
    PingSend,
    Pong,
    ResumeSend,
    WidgetActionSend,
)

log = logging.getLogger(__name__)
router = APIRouter()

PUBLISH_TIMEOUT_S = 5.0
CLOSE_TIMEOUT_S = 5.0
HEARTBEAT = Heartbeat().model_dump_json()
# Frames that store an event: these count against the shared message limits (typing does not).
STORED = frozenset({"message.send", "widget.action", "feedback", "handoff.ask"})
PONG = Pong().model_dump_json()


@router.websocket("/v1/ws")
async def widget_socket(websocket: WebSocket) -> None:
    gateway = gateway_of(websocket)
    # Accept first: a close before accept reaches a browser as a bare HTTP 403, without our code.
    await websocket.accept()
    try:
        visitor, after_seq = admit(gateway, websocket)
        await check_recorded_owner(
            gateway.settings.database_url, visitor.tenant_id, visitor.conversation_id, visitor.visitor_id
        )
    except Refused as exc:
        await websocket.close(exc.code, exc.reason)
        return
    except NotYours:
        await websocket.close(CloseCode.FORBIDDEN, "conversation not yours")
        return
    tenant = gateway.tenants.by_id(visitor.tenant_id)
    assert tenant is not None  # admit() checked it
    socket_id = uuid.uuid4().hex
    where = (visitor.tenant_id, visitor.conversation_id, socket_id, websocket.client.host if websocket.client else "")
    try:
        await gateway.limits.open_socket(tenant.limits, *where)
    except Limited as exc:
        await gateway.limits.close_socket(*where)  # a lease it may have got before the refusal
        refusal = f"Too many sockets open; retry after {exc.retry_after_s} s"
        error = Error(code=ErrorCode.RATE_LIMITED, message=refusal, retry_after=exc.retry_after_s)
        await websocket.send_text(error.model_dump_json())
        await websocket.close(CloseCode.TRY_AGAIN_LATER, refusal)
        return
    lease = asyncio.create_task(gateway.limits.keep_socket(tenant.limits, *where))
    try:
        outbox = delivery.Delivery(gateway.nc, gateway.js, visitor, max_queue=delivery.MAX_QUEUE)
        try:
            await outbox.start()
        except Exception as exc:  # NATS unreachable (e.g. electing a leader): come back shortly
            log.warning("could not start delivering %s: %r", visitor.conversation_id, exc)
            await outbox.close()
            with contextlib.suppress(Exception):
                await websocket.close(CloseCode.TRY_AGAIN_LATER, "the bus is unavailable; reconnect shortly")
            return
        gateway.deliveries.add(outbox)
        try:
            ids = {"tenant_id": visitor.tenant_id, "conversation_id": visitor.conversation_id}
            with bound_contextvars(**ids), metrics.SOCKETS_OPEN.track_inprogress():
                await _Session(gateway, websocket, visitor, outbox).run(after_seq)
        finally:
            gateway.deliveries.discard(outbox)
            await outbox.close()
    finally:
        lease.cancel()
        await gateway.limits.close_socket(*where)


async def _welcome(gateway: Gateway, tenant: Tenant, visitor: Visitor, lang: str | None) -> None:
    """The tenant's welcome for a conversation the widget has no history of (at most once: gateway.welcome)."""
    try:
        await send_welcome(gateway.js, tenant, visitor, (lang or "")[:35])
    except Exception as exc:  # the conversation works without it
        log.warning("could not send the welcome in %s: %r", visitor.conversation_id, exc)


def with_whereabouts(visitor: Visitor, websocket: WebSocket) -> Visitor:
    """The visitor with the page and language their widget (or browser) reports, for agents to see."""
    params = websocket.query_params
    first = websocket.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
    language = (params.get("lang") or first or "").strip()[:35] or None
    page = (params.get("page") or "").strip()[:500] or None
    return dataclasses.replace(visitor, page=page, language=language)


class _Session:
    def __init__(self, gateway: Gateway, websocket: WebSocket, visitor: Visitor, outbox: delivery.Delivery) -> None:
        self.gateway = gateway
        self.websocket = websocket
        self.visitor = with_whereabouts(visitor, websocket)
        self.delivery = outbox
        settings = gateway.settings
        self.flood = FloodGuard(settings.frames_per_second, settings.frame_burst)
        tenant = gateway.tenants.by_id(visitor.tenant_id)
        assert tenant is not None  # admit() checked it
        self.tenant = tenant
        # What the visitor does on this socket, for the tenant's nudges (gateway.nudges).
        self.activity = Activity()

    async def run(self, after_seq: int | None) -> None:
        settings = self.gateway.settings
        hello = Hello(
            tenant_id=self.visitor.tenant_id,
            conversation_id=self.visitor.conversation_id,
            visitor_id=self.visitor.visitor_id,
            heartbeat_s=settings.heartbeat_s,
            max_frame_bytes=settings.max_frame_bytes,
        )
        self.delivery.send(hello.model_dump_json())
        params = self.websocket.query_params
        if not after_seq and params.get("welcome") == "1":
            await _welcome(self.gateway, self.tenant, self.visitor, params.get("lang"))
        sender = asyncio.create_task(self._send_loop())
        receiver = asyncio.create_task(self._receive_loop(after_seq))
        overflow = asyncio.create_task(self.delivery.behind.wait())
        page = (params.get("page") or "/")[:500]
        nudger = asyncio.create_task(
            run_nudges(self.gateway, self.tenant, self.visitor, page, uuid.uuid4().hex, self.activity)
        )
        done, pending = await asyncio.wait({sender, receiver, overflow}, return_when=asyncio.FIRST_COMPLETED)
        for task in (*pending, nudger):
            task.cancel()
        await asyncio.gather(*pending, nudger, return_exceptions=True)
        if overflow in done:
            await self._close(CloseCode.TRY_AGAIN_LATER, "too slow to keep up; resume after your last seq")
        elif receiver in done and not receiver.cancelled() and receiver.exception() is None:
            refused = receiver.result()
            if refused is not None:
                await self._close(refused.code, refused.reason)
        elif receiver in done and receiver.exception() is not None:
            log.error("widget socket failed", exc_info=receiver.exception())
            await self._close(CloseCode.INTERNAL_ERROR, "internal error")

    async def _close(self, code: CloseCode, reason: str) -> None:
        if self.websocket.application_state != WebSocketState.CONNECTED:
            return
        # A peer that stopped reading may never take the close frame; do not wait forever.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await self.websocket.close(code, reason)

    async def _send_loop(self) -> None:
        queue, heartbeat_s = self.delivery.queue, self.gateway.settings.heartbeat_s
        while True:
            if not queue.empty():
                frame = queue.get_nowait()  # the busy path: no timer per frame
            else:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel that
                # lands as a frame arrives, and this task would outlive its socket.
                try:
                    async with asyncio.timeout(heartbeat_s):
                        frame = await queue.get()
                except TimeoutError:
                    frame = HEARTBEAT
            await self.websocket.send_text(frame)

    async def _receive_loop(self, after_seq: int | None) -> Refused | None:
        """Serve visitor frames until the visitor leaves (None) or must be closed (Refused)."""
        if after_seq is None:
            self.delivery.go_live()
        elif (refused := await self._resume(after_seq)) is not None:
            return refused
        max_bytes = self.gateway.settings.max_frame_bytes
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return None
            raw = message.get("text")
            if raw is None:
                raw = message.get("bytes") or b""
            try:
                frame, problem = parse_frame(raw, max_bytes), None
            except FrameTooBig as exc:
                return Refused(CloseCode.TOO_BIG, str(exc))
            except FrameError as exc:
                frame, problem = None, exc
            # Bad frames count against the flood guard too: garbage is a flood like any other.
            verdict = self.flood.check()
            if verdict is Verdict.CLOSE:
                return Refused(CloseCode.POLICY_VIOLATION, "sustained flood of frames")
            if verdict is Verdict.DROP:
                ref = problem.ref if problem else _ref(frame)
                self._error(
                    ErrorCode.RATE_LIMITED, "Too many frames: this one was dropped; send it again later", ref, 1
                )
            elif problem is not None:
                self._error(problem.code, problem.message, problem.ref)
            elif (refused := await self._handle_safely(frame)) is not None:
                return refused

    async def _handle_safely(self, frame: object) -> Refused | None:
        """Handle one frame; a defect in handling refuses that frame, never the whole socket."""
        try:
            return await self._handle(frame)
        except Exception as exc:
            log.error("handling a %s frame failed: %r", getattr(frame, "type", "?"), exc)
            self._error(ErrorCode.INVALID_FRAME, "This frame could not be handled; do not resend it", _ref(frame))
            return None

    async def _handle(self, frame: object) -> Refused | None:
        if isinstance(frame, PingSend):
            self.delivery.send(PONG)
        elif isinstance(frame, ResumeSend):
            return await self._resume(frame.after_seq)
        else:
            self.activity.touch()
            await self._publish(frame)  # type: ignore[arg-type]
        return None

    async def _resume(self, after_seq: int) -> Refused | None:
        try:
            await self.delivery.resume(after_seq)
        except Exception as exc:
            # The stream was unreachable: a fresh connection will resume from the same point.
            log.warning("replay after seq %s failed: %r", after_seq, exc)
            return Refused(CloseCode.TRY_AGAIN_LATER, "could not replay now; reconnect with after_seq")
        return None

    async def _publish(self, frame: commands.Command) -> None:
        ref = _ref(frame)
        try:
            # Checked before publishing: a frame its event cannot hold will never succeed.
            event = commands.to_event(self.visitor, frame)
            if isinstance(frame, WidgetActionSend):
                event.model_dump_json()  # its free-form value must serialise
        except (ValueError, TypeError, RecursionError) as exc:
            self._error(ErrorCode.INVALID_FRAME, f"Invalid {frame.type} frame: {type(exc).__name__}", ref)
            return
        if frame.type in STORED and (limited := await self._over_limit()) is not None:
            self._error(
                ErrorCode.RATE_LIMITED,
                f"Too many messages ({limited.what}): this one was not stored; send it again "
                f"in {limited.retry_after_s} s",
                ref,
                limited.retry_after_s,
            )
            return
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT_S):
                with tracing.span("widget frame", root=True, frame_type=frame.type, tenant_id=event.tenant_id):
                    ack = await commands.perform(self.gateway.broker, self.visitor, frame, event)
        except Exception as exc:
            log.warning("publishing %s failed: %r", frame.type, exc)
            self._error(ErrorCode.UNAVAILABLE, f"Could not store {frame.type} ({type(exc).__name__}); resend it", ref)
            return
        if ack is not None:
            self.delivery.send(ack.model_dump_json(exclude_none=True))

    async def _over_limit(self) -> Limited | None:
        visitor = self.visitor
        try:
            await self.gateway.limits.message(
                self.tenant.limits, visitor.tenant_id, visitor.conversation_id, visitor.visitor_id
            )
        except Limited as exc:
            return exc
        return None

    def _error(self, code: ErrorCode, message: str, ref: str | None = None, retry_after: int | None = None) -> None:
        ref = printable(ref) if ref is not None else None
        error = Error(code=code, message=printable(message), ref=ref, retry_after=retry_after)
        self.delivery.send(error.model_dump_json())


def _ref(frame: object) -> str | None:
    return getattr(frame, "client_id", None) or getattr(frame, "action_id", None)
