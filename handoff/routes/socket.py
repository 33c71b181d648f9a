"""The agent WebSocket: queue changes, presence and live conversation events (tokens included).

Protocol (JSON text frames). Authenticate with ``Authorization: Bearer <token>`` or, from a
browser, a first frame ``{"kind": "auth", "token": "..."}``. The server then sends
``{"kind": "snapshot", "me", "conversations", "agents"}`` followed by
``{"kind": "conversation", "conversation": {...}}`` and ``{"kind": "agent", "agent": {...}}``
on every change in the tenant, and ``{"kind": "event", "channel", "seq", "event"}`` for every
bus event of the tenant's conversations (push: what the widget sees; live: visitor typing;
ops: sentiment, handoff requests). Client frames: ``{"kind": "ping"}``,
``{"kind": "typing", "conversation_id", "on"}``, ``{"kind": "presence", "status"}``.
Close codes: 4401 bad or missing token, 4408 too slow to keep up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import timedelta

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from handoff.agent_messages import set_typing
from handoff.agents import AgentAccount
from handoff.context import Handoff
from handoff.fanout import Fanout, Outbox
from handoff.presence import presence_of, set_presence, touch
from handoff.records import ConversationRecord
from handoff.transitions import NotAssignedToYou, NotFound
from handoff.views import agent_view, conversation_view, listing
from shared.events.base import utcnow

router = APIRouter(tags=["agent socket"])
log = logging.getLogger(__name__)

AUTH_TIMEOUT_S = 10.0


async def _authenticate(ws: WebSocket, h: Handoff) -> AgentAccount | None:
    header = ws.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return h.agents.authenticate(header[7:].strip())
    try:
        frame = json.loads(await asyncio.wait_for(ws.receive_text(), AUTH_TIMEOUT_S))
    except (TimeoutError, ValueError):
        return None
    token = frame.get("token") if isinstance(frame, dict) and frame.get("kind") == "auth" else None
    return h.agents.authenticate(token) if isinstance(token, str) else None


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


async def _handle_frame(ws: WebSocket, h: Handoff, agent: AgentAccount, frame: dict) -> None:
    kind = frame.get("kind")
    if kind == "ping":
        await touch(h, agent)
        await ws.send_text('{"kind":"pong"}')
    elif kind == "typing":
        try:
            await set_typing(h, agent, str(frame.get("conversation_id", "")), on=bool(frame.get("on", True)))
        except (NotFound, NotAssignedToYou) as e:
            await ws.send_text(json.dumps({"kind": "error", "code": "not_assigned", "message": str(e)}))
    elif kind == "presence" and frame.get("status") in ("online", "away", "offline"):
        await set_presence(h, agent, frame["status"])
    else:
        await ws.send_text(json.dumps({"kind": "error", "code": "bad_frame", "message": f"Unknown frame {kind!r}"}))


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
    agent = await _authenticate(ws, h)
    if agent is None:
        await ws.close(4401, "Expected a valid agent token (Authorization header or first frame {kind: auth, token})")
        return
    outbox = Outbox(h.config.socket_queue)
    key = (agent.tenant_id, agent.id)
    await fanout.add(agent.tenant_id, outbox)  # before the snapshot, so no change falls in between
    fanout.agent_sockets[key] = fanout.agent_sockets.get(key, 0) + 1
    tasks: list[asyncio.Task] = []
    try:
        await touch(h, agent, force=True, come_online=True)
        await ws.send_text(await _snapshot(h, agent))
        tasks = [asyncio.create_task(_send_loop(ws, outbox)), asyncio.create_task(_heartbeat_loop(h, agent))]
        while True:
            text = await ws.receive_text()
            try:
                frame = json.loads(text)
            except ValueError:
                frame = {}
            await _handle_frame(ws, h, agent, frame if isinstance(frame, dict) else {})
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
