"""The whole loop on real processes: widget socket -> gateway -> NATS -> orchestrator -> back."""

from __future__ import annotations

import pytest

from tests.e2e.client import WidgetClient
from tests.e2e.system import RunningSystem

pytestmark = pytest.mark.e2e


async def test_message_streams_back_with_sources_and_second_turn_sees_first(system: RunningSystem) -> None:
    client = WidgetClient(system.gateway_url)
    await client.connect()
    try:
        await client.wait_type("hello")
        client_id = await client.say("How long do I have to return an item?")
        ack = await client.wait_type("ack", client_id=client_id)
        echoed = await client.wait_type("message.user", client_id=client_id)
        assert echoed["seq"] == ack["seq"]

        created = await client.wait_type("message.created", reply_to=ack["message_id"])
        completed = await client.wait_type("message.completed", message_id=created["message_id"])
        deltas = [f for f in client.of_type("message.delta") if f["message_id"] == created["message_id"]]
        assert len(deltas) > 1, "the reply should stream in several deltas"
        assert client.text_of(created["message_id"]) == completed["text"]
        assert completed["sources"], "an answer from the knowledge base carries its sources"
        assert "return" in completed["text"].lower()
        assert created["seq"] < completed["seq"]

        # Multi-turn: the second message is answered too, after the first, in order.
        start = len(client.frames)
        second = await client.say("And what about the warranty?")
        ack2 = await client.wait_type("ack", client_id=second, start=start)
        completed2 = await client.wait_type("message.completed", reply_to=ack2["message_id"], start=start)
        assert completed2["seq"] > completed["seq"]
        assert "warrant" in completed2["text"].lower()
    finally:
        await client.close()


async def test_resend_is_idempotent_and_reload_resumes_the_conversation(system: RunningSystem) -> None:
    client = WidgetClient(system.gateway_url)
    await client.connect()
    try:
        client_id = await client.say("Do you ship internationally?")
        ack = await client.wait_type("ack", client_id=client_id)
        await client.say("Do you ship internationally?", client_id=client_id)
        acks = [f for f in client.frames if f.get("type") == "ack" and f.get("client_id") == client_id]
        resent = await client.wait_for(
            lambda f: f.get("type") == "ack" and f.get("client_id") == client_id and f is not acks[0]
        )
        assert resent["message_id"] == ack["message_id"]
        assert resent["seq"] == ack["seq"]
        await client.wait_type("message.completed", reply_to=ack["message_id"])
    finally:
        await client.close()

    # A reload: a new session with the previous token continues the same conversation and
    # replays everything after seq 0 exactly once.
    reloaded = WidgetClient(system.gateway_url)
    await reloaded.open_session(previous_token=client.session["token"])
    assert reloaded.conversation_id == client.conversation_id
    await reloaded.connect(after_seq=0)
    try:
        completed = await reloaded.wait_type("message.completed", reply_to=ack["message_id"])
        users = [f for f in reloaded.of_type("message.user") if f["client_id"] == client_id]
        assert len(users) == 1, "a resent message is stored once"
        replies = [f for f in reloaded.of_type("message.completed") if f["reply_to"] == ack["message_id"]]
        assert replies == [completed], "and answered once"
    finally:
        await reloaded.close()
