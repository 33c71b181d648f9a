"""The agent WebSocket: queue changes, presence and live conversation events (tokens included).

Protocol (JSON text frames). Authenticate with ``Authorization: Bearer <token>`` or, from a
browser, a first frame ``{"kind": "auth", "token": "..."}``. The server then sends
``{"kind": "snapshot", "me", "conversations", "agents"}`` followed by
``{"kind": "conversation", "conversation": {...}}`` and ``{"kind": "agent", "agent": {...}}``
on every change in the tenant, ``{"kind": "summary", "conversation_id", "visitor": {...}}`` when a
conversation's visitor summary changes (name, last message preview, page, language, mood: the
``visitor`` of a ConversationView, for every conversation of the tenant), and
``{"kind": "event", "channel", "seq", "event"}`` for the bus events the agent may see (push:
what the widget sees; live: visitor typing; ops: sentiment,
handoff requests): all of the conversations assigned to the agent, only metadata of queued ones
(visibility.py); a supervisor gets every conversation of the tenant. Client frames: ``{"kind": "ping"}``,
``{"kind": "typing", "conversation_id", "on"}``, ``{"kind": "presence", "status"}``.
Close codes: 4401 bad or missing token (or a login frame that is binary or too big), 1003 a
binary frame, 1009 a frame over 16 KiB, 4408 too slow to keep up. Any other bad frame (invalid
JSON, not an object, unknown kind, wrong field types) is answered ``{"kind": "error", "code",
"message"}`` and the socket keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import timedelta

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from handoff.agent_frames import AuthFrame, BadFrame, FrameTooBig, Ping, PresenceFrame, TypingFrame, parse_agent_frame
from handoff.agent_messages import set_typing
from handoff.agents import AgentAccount
from handoff.context import Handoff
from handoff.fanout import Fanout, Outbox
from handoff.presence import presence_of, set_presence, touch
from handoff.records import ConversationRecord
from handoff.transitions import NotAssignedToYou, NotFound
from handoff.views import agent_view, conversation_view, listing
from handoff.visibility import Viewer
from shared.events.base import utcnow

router = APIRouter(tags=["agent socket"])
log = logging.getLogger(__name__)

AUTH_TIMEOUT_S = 10.0


class Closing(Exception):
    """Close the socket with this code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


async def _receive(ws: WebSocket) -> str:
    """The next text frame; raises WebSocketDisconnect, or Closing(1003) for a binary frame."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if text is None:
        raise Closing(1003, "Expected JSON text frames, got a binary frame")
    return text


async def _authenticate(ws: WebSocket, h: Handoff) -> AgentAccount | None:
    header = ws.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return h.agents.authenticate(header[7:].strip())
    try:
        frame = parse_agent_frame(await asyncio.wait_for(_receive(ws), AUTH_TIMEOUT_S))
    except (TimeoutError, FrameTooBig, BadFrame):
        return None
    except Closing as e:
        raise Closing(4401, f"Expected a text login frame {{kind: auth, token}}: {e.reason}") from None
    return h.agents.authenticate(frame.token) if isinstance(frame, AuthFrame) else None


SNAPSHOT_RECENT = 200


def _snapshot_records(h: Handoff, tenant_id: str) -> list[ConversationRecord]:
    """Everything queued or assigned, and the most recent AI-handled or resolved ones (the rest via REST)."""
    active = listing(h, tenant_id, "queued") + listing(h, tenant_id, "assigned")
    return active + listing(h, tenant_id, "ai")[:SNAPSHOT_RECENT] + listing(h, tenant_id, "resolved")[:SNAPSHOT_RECENT]


async def _snapshot(h: Handoff, agent: AgentAccount) -> str:
    tenant = agent.tenant_id
    agents = [agent_view(h, await presence_of(h, a)).model_dump(mode="json") for a in h.agents.of_tenant(tenant)]
    return json.dumps(
        {
            "kind": "snapshot",
            "me": agent_view(h, await presence_of(h, agent)).model_dump(mode="json"),
            "conversations": [conversation_view(h, r).model_dump(mode="json") for r in _snapshot_records(h, tenant)],
            "agents": agents,
        }
    )


def _error(code: str, message: str) -> str:
    return json.dumps({"kind": "error", "code": code, "message": message})


async def _handle_frame(ws: WebSocket, h: Handoff, agent: AgentAccount, raw: str) -> None:
    try:
        frame = parse_agent_frame(raw)
    except FrameTooBig as e:
        raise Closing(1009, str(e)) from None
    except BadFrame as e:
        await ws.send_text(_error(e.code, e.message))
        return
    try:
        if isinstance(frame, Ping):
            await touch(h, agent)
            await ws.send_text('{"kind":"pong"}')
        elif isinstance(frame, TypingFrame):
            await set_typing(h, agent, frame.conversation_id, on=frame.on)
        elif isinstance(frame, PresenceFrame):
            await set_presence(h, agent, frame.status)
        else:
            await ws.send_text(_error("bad_frame", "Already signed in: an auth frame is only the first frame"))
    except (NotFound, NotAssignedToYou) as e:
        await ws.send_text(_error("not_assigned", str(e)))
    except (WebSocketDisconnect, Closing):
        raise
    except Exception as e:  # NATS unreachable and the like: the console may retry
        log.warning("agent frame %s failed: %r", frame.kind, e)
        await ws.send_text(_error("unavailable", f"Could not do {frame.kind} now ({type(e).__name__}); try again"))


async def _send_loop(ws: WebSocket, outbox: Outbox) -> None:
    while (frame := await outbox.queue.get()) is not None:
        await ws.send_text(frame)
    await ws.close(4408, "too slow: frames were dropped; reconnect to get a fresh snapshot")


async def _heartbeat_loop(h: Handoff, agent: AgentAccount) -> None:
    while True:
        await asyncio.sleep(h.config.heartbeat_s)
        await touch(h, agent, force=True)


async def _release_after_grace(h: Handoff, fanout: Fanout, agent: AgentAccount) -> None:
    """The console closed: if it (or another one) does not come back in time, the agent is offline."""
    closed_at = utcnow()
    await asyncio.sleep(h.config.reconnect_grace_s)
    if fanout.agent_sockets.get((agent.tenant_id, agent.id), 0) > 0:
        return
    presence = await presence_of(h, agent)
    seen_since = presence.last_seen and presence.last_seen > closed_at + timedelta(milliseconds=1)
    if presence.status != "offline" and not seen_since:
        log.info("agent %s/%s disconnected; re-queueing their conversations", agent.tenant_id, agent.id)
        await set_presence(h, agent, "offline")


@router.websocket("/v1/agent/ws")
async def agent_socket(ws: WebSocket) -> None:
    h: Handoff = ws.state.handoff
    fanout: Fanout = ws.state.fanout
    await ws.accept()
    try:
        agent = await _authenticate(ws, h)
    except Closing as e:
        await ws.close(e.code, e.reason)
        return
    except WebSocketDisconnect:
        return
    if agent is None:
        await ws.close(4401, "Expected a valid agent token (Authorization header or first frame {kind: auth, token})")
        return
    outbox = Outbox(h.config.socket_queue, Viewer(agent.tenant_id, agent.id, sees_all=agent.role == "supervisor"))
    key = (agent.tenant_id, agent.id)
    await fanout.add(agent.tenant_id, outbox)  # before the snapshot, so no change falls in between
    fanout.agent_sockets[key] = fanout.agent_sockets.get(key, 0) + 1
    tasks: list[asyncio.Task] = []
    try:
        await touch(h, agent, force=True, come_online=True)
        await ws.send_text(await _snapshot(h, agent))
        tasks = [asyncio.create_task(_send_loop(ws, outbox)), asyncio.create_task(_heartbeat_loop(h, agent))]
        while True:
            await _handle_frame(ws, h, agent, await _receive(ws))
    except Closing as e:
        with contextlib.suppress(Exception):
            await ws.close(e.code, e.reason)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        for task in tasks:
            task.cancel()
        await fanout.remove(agent.tenant_id, outbox)
        fanout.agent_sockets[key] -= 1
        if fanout.agent_sockets[key] <= 0:
            fanout.agent_sockets.pop(key, None)
            fanout.spawn(_release_after_grace(h, fanout, agent))
        with contextlib.suppress(Exception):
            await asyncio.gather(*tasks, return_exceptions=True)
