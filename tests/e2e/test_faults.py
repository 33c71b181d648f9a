"""Faults not covered by test_restarts.py: a visitor message sent while nats-server is unreachable.

docs/protocol.md: a frame the gateway could not store gets an `unavailable` error and is resent with
the same id; an `ack` means it is stored. Either way the message must be answered exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.e2e.client import Frame, WidgetClient, reload_until_answered
from tests.e2e.system import RunningSystem

pytestmark = pytest.mark.e2e

FIRST = "Do you ship internationally?"
SECOND = "Where are your stores?"


def outcome_of(client_id: str):
    return lambda f: f.get("type") in ("ack", "error") and client_id in (f.get("client_id"), f.get("ref"))


async def until(client: WidgetClient, predicate, start: int) -> Frame:
    """The matching frame, reconnecting with after_seq whenever the gateway closes the socket."""
    for _ in range(20):
        frame = await client.wait_or_closed(predicate, timeout=60, start=start)
        if frame is not None:
            return frame
        await client.reconnect()
    raise AssertionError("the gateway kept closing the socket")


async def test_message_sent_while_nats_is_unreachable_is_refused_or_stored_then_answered_once(start_system) -> None:
    system: RunningSystem = start_system("gateway", "orchestrator")
    client = WidgetClient(system.gateway_url)
    await client.connect()
    nats_pid = int(system.state["nats_pid"])
    try:
        ack = await client.wait_type("ack", client_id=await client.say(FIRST))
        first = await client.wait_type("message.completed", reply_to=ack["message_id"], timeout=60)

        # A frozen nats-server: the gateway's publish cannot be acknowledged while it is stopped.
        os.kill(nats_pid, signal.SIGSTOP)
        start = len(client.frames)
        client_id = await client.say(SECOND)
        outcome = await client.wait_for(outcome_of(client_id), start=start)
        while_frozen = outcome.get("code", outcome["type"])
        os.kill(nats_pid, signal.SIGKILL)
        await asyncio.to_thread(system.wait_nats_restarted, nats_pid)

        # The contract: `unavailable` means resend with the same id; an ack means it was stored.
        refusals = 0
        while outcome["type"] == "error":
            assert outcome["code"] == "unavailable", f"Expected an ack or 'unavailable', got {outcome}"
            refusals += 1
            assert refusals < 30, "the message was never accepted after nats-server came back"
            start = len(client.frames)
            if client.closed:
                await client.reconnect()
            await client.say(SECOND, client_id=client_id)
            outcome = await until(client, outcome_of(client_id), start)
        print(f"while nats-server was frozen: {while_frozen}; resends after it came back: {refusals}")
        second = await until(
            client, lambda f: f.get("type") == "message.completed" and f.get("reply_to") == outcome["message_id"], 0
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(nats_pid, signal.SIGKILL)
        await client.close()

    assert second["seq"] > first["seq"]
    # Everything stored once: a reload replays the whole conversation.
    reloaded = await reload_until_answered(system.gateway_url, client.session, outcome["message_id"])
    assert [f["text"] for f in reloaded.of_type("message.user")] == [FIRST, SECOND], "stored once, nothing lost"
    assert [f["reply_to"] for f in reloaded.of_type("message.completed")] == [ack["message_id"], outcome["message_id"]]
    assert [f["message_id"] for f in client.of_type("message.completed") if f["reply_to"] == outcome["message_id"]] == [
        second["message_id"]
    ], "the live socket saw the reply completed once"


def recorded(db: Path, conversation_id: str) -> tuple[list[tuple[str, int]], list[tuple[str, str | None]]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        events = conn.execute(
            "SELECT id, seq FROM events WHERE conversation_id = ? AND channel = 'conv' ORDER BY seq", (conversation_id,)
        ).fetchall()
        messages = conn.execute(
            "SELECT role, reply_to FROM messages WHERE conversation_id = ? ORDER BY seq", (conversation_id,)
        ).fetchall()
    return events, messages


async def test_recorder_killed_while_messages_flow_records_every_event_once(start_system) -> None:
    system: RunningSystem = start_system("gateway", "orchestrator", "recorder")
    client = WidgetClient(system.gateway_url)
    await client.connect()
    questions = ["How do returns work?", "Is there a warranty on tents?", "Where is your nearest store?"]
    try:
        first = await client.wait_type("ack", client_id=await client.say(questions[0]))
        old = system.kill("recorder#0")
        # Sent while the recorder is dead and being restarted by the supervisor.
        client_ids = [await client.say(q) for q in questions[1:]]
        acks = [first] + [await client.wait_type("ack", client_id=cid) for cid in client_ids]
        for ack in acks:
            await client.wait_type("message.completed", reply_to=ack["message_id"], timeout=60)
        await asyncio.to_thread(system.wait_restarted, "recorder#0", old)
    finally:
        await client.close()

    # Every durable event the widget received (each has a seq) lands in the database once.
    seen = sorted({(f["id"], f["seq"]) for f in client.frames if isinstance(f.get("seq"), int) and "id" in f})
    db = system.var_dir / "switchboard.db"
    deadline = time.monotonic() + 45
    events, messages = recorded(db, client.conversation_id)
    while not set(seen) <= set(events) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)  # polling the database: the recorder announces nothing when it is done
        events, messages = recorded(db, client.conversation_id)
    assert set(seen) <= set(events), f"not recorded: {sorted(set(seen) - set(events))}"
    print(f"recorder caught up {45 - (deadline - time.monotonic()):.1f}s after the replies completed")
    assert len(events) == len({e[0] for e in events}), "no event recorded twice"
    assert len(events) == len({e[1] for e in events}), "one event per seq"
    assert [m for m in messages if m[0] == "visitor"] == [("visitor", None)] * 3
    assert [m[1] for m in messages if m[0] == "assistant"] == [a["message_id"] for a in acks]
