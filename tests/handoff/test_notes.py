"""Internal notes: any agent of the tenant writes one; agents see it live and in the transcript; the widget never."""

from __future__ import annotations

import httpx
import nats
import pytest

from handoff.records import ConversationRecord
from handoff.transcript import build_transcript
from shared.events import HandoffRequested, Notice, UserMessage
from tests.handoff.agent_socket import agent_socket
from tests.handoff.conftest import Service, Tenants, token
from tests.handoff.test_flow import publish


def test_notes_sit_between_messages_by_time() -> None:
    record = ConversationRecord(tenant_id="t", conversation_id="c")
    conv = [
        {"type": "message.user", "message_id": "u1", "text": "hi", "ts": "2026-01-01T00:00:01Z", "seq": 7},
        {"type": "message.user", "message_id": "u2", "text": "hello?", "ts": "2026-01-01T00:00:05Z", "seq": 9},
    ]
    by_al = {"type": "agent.note", "author": {"name": "Al"}}
    ops = [
        {**by_al, "note_id": "n2", "text": "later", "ts": "2026-01-01T00:00:09Z", "seq": 3},
        {**by_al, "note_id": "n1", "text": "VIP", "ts": "2026-01-01T00:00:02Z", "seq": 2},
    ]
    t = build_transcript(record, conv, ops)
    assert [(m.message_id, m.role) for m in t.messages] == [
        ("u1", "visitor"),
        ("n1", "note"),
        ("u2", "visitor"),
        ("n2", "note"),
    ]
    assert t.messages[1].author is not None
    assert t.messages[1].author.name == "Al"


def queued(frame: dict, conversation: str) -> bool:
    """A socket frame saying the conversation is queued (in the snapshot or as a change)."""
    records = frame.get("conversations", []) if frame.get("kind") == "snapshot" else [frame.get("conversation") or {}]
    return any(r.get("conversation_id") == conversation and r.get("state") == "queued" for r in records)


@pytest.mark.connected
@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_a_note_reaches_agents_and_the_transcript_but_never_the_widget(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    async with agent_socket(service.ws_url, token(t, "alice")) as (feed, _):  # online: the request queues
        await publish(
            nats_client,
            UserMessage(tenant_id=t, conversation_id=c, message_id="u1", client_id="u1", visitor_id="v_1", text="Hi"),
        )
        await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="help"))
        await feed.wait(lambda f: queued(f, c))
        assert (await api.post(f"/v1/conversations/{c}/claim", headers=tenants.auth("alice"))).status_code == 200
        # Bob is not assigned, yet may note; Alice (assigned) sees it live
        added = await api.post(
            f"/v1/conversations/{c}/notes", json={"text": "Gold customer, be generous", "client_id": "n1"},
            headers=tenants.auth("bob"),
        )  # fmt: skip
        assert added.status_code == 200, added.text
        note = added.json()
        assert (note["type"], note["agent_id"], note["author"]["name"]) == ("agent.note", "bob", f"Bob of {t[:4]}")
        live = await feed.wait(lambda f: f.get("kind") == "event" and f["event"]["type"] == "agent.note")
        assert live["channel"] == "ops"
        assert live["event"]["text"] == "Gold customer, be generous"
        # resending the same client id adds it once
        again = await api.post(
            f"/v1/conversations/{c}/notes", json={"text": "Gold customer, be generous", "client_id": "n1"},
            headers=tenants.auth("bob"),
        )  # fmt: skip
        assert again.json()["note_id"] == note["note_id"]
        # a marker the widget does get, published after the note: once it is there, the note would be too
        await publish(nats_client, Notice(tenant_id=t, conversation_id=c, code="marker", text="after the note"))
        await widget.wait(lambda e: e["type"] == "notice" and e["code"] == "marker")
    assert [e for e in widget.events if e["type"] == "agent.note" or "Gold customer" in str(e)] == []

    transcript = (await api.get(f"/v1/conversations/{c}/transcript", headers=tenants.auth("alice"))).json()
    notes = [m for m in transcript["messages"] if m["role"] == "note"]
    assert [n["text"] for n in notes] == ["Gold customer, be generous"]  # once

    blank = await api.post(f"/v1/conversations/{c}/notes", json={"text": "  "}, headers=tenants.auth("bob"))
    assert blank.status_code == 422
    elsewhere = await api.post(
        f"/v1/conversations/{c}/notes", json={"text": "x"}, headers=tenants.auth(tenant=tenants.other)
    )
    assert elsewhere.status_code == 404
