"""Conversation summaries: who the visitor is, the last message, page, language and mood (API and socket)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import nats
import pytest

from handoff.summaries import ConversationSummary, mood_words, preview, updated, visitor_label, visitor_view
from shared.events import HandoffRequested, MessageCompleted, SentimentScored, UserMessage
from shared.events.base import utcnow
from tests.handoff.agent_socket import agent_socket
from tests.handoff.conftest import Service, Tenants, token
from tests.handoff.test_flow import publish


def test_mood_in_words() -> None:
    assert [mood_words(m) for m in (-1.0, -0.6, -0.45, 0.0, 0.3, 0.31, 1.0)] == [
        "angry",
        "angry",
        "upset",
        "calm",
        "calm",
        "happy",
        "happy",
    ]
    assert mood_words(None) is None


def test_a_visitor_is_named_by_a_stable_friendly_id() -> None:
    label = visitor_label("v_0123", "c1")
    assert label == visitor_label("v_0123", "c2")  # the visitor's, not the conversation's
    assert label != visitor_label("v_4567", "c1")
    assert label.startswith("Visitor ")
    assert len(label.removeprefix("Visitor ")) == 4
    verified = visitor_view(ConversationSummary(tenant_id="t", conversation_id="c", visitor_id="u_abc"), "c")
    assert verified.verified
    assert not visitor_view(None, "c").verified


def test_the_preview_is_one_short_line() -> None:
    assert preview("Hello\n\n  there") == "Hello there"
    long = preview("x" * 5000)
    assert len(long) == 160
    assert long.endswith("…")


def test_late_events_never_overwrite_newer_ones() -> None:
    now = utcnow()
    base = ConversationSummary(tenant_id="t", conversation_id="c")
    first = UserMessage(
        tenant_id="t", conversation_id="c", message_id="m1", client_id="m1", visitor_id="v_1", text="Hi",
        page="/pricing", language="fr", ts=now,
    )  # fmt: skip
    s = updated(base, first)
    assert s is not None
    reply = MessageCompleted(
        tenant_id="t", conversation_id="c", message_id="r1", role="assistant", text="Hello!", ts=now
    )
    s2 = updated(s, reply.model_copy(update={"ts": now + timedelta(seconds=1)}))
    assert s2 is not None
    assert (s2.last_text, s2.last_role, s2.visitor_last_at, s2.page) == ("Hello!", "assistant", now, "/pricing")
    older = first.model_copy(update={"text": "stale", "ts": now - timedelta(seconds=5)})
    s3 = updated(s2, older)
    assert s3 is not None  # the visitor id is still known; the preview and page are not stale ones
    assert (s3.last_text, s3.page) == ("Hello!", "/pricing")
    mood = SentimentScored(tenant_id="t", conversation_id="c", message_id="m1", score=-0.9, mood=-0.7, ts=now)
    s4 = updated(s3, mood)
    assert s4 is not None
    assert s4.mood == -0.7
    assert updated(s4, mood.model_copy(update={"mood": 0.5, "ts": now - timedelta(seconds=1)})) is None
    # a later message without a page keeps the page known
    s5 = updated(s4, first.model_copy(update={"page": None, "language": None, "ts": now + timedelta(seconds=9)}))
    assert s5 is not None
    assert (s5.page, s5.language, s5.last_text) == ("/pricing", "fr", "Hi")


@pytest.mark.connected
@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_the_api_and_the_socket_give_each_conversation_its_visitor_and_search_finds_it(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, conversation_id: str
) -> None:
    t, c = tenants.main, conversation_id
    auth = tenants.auth()
    async with agent_socket(service.ws_url, token(t, "alice")) as (feed, _):
        await publish(
            nats_client,
            UserMessage(
                tenant_id=t, conversation_id=c, message_id="u1", client_id="u1", visitor_id="v_abc",
                text="My tent pole snapped", page="/products/trail-tent", language="de-DE",
            ),
        )  # fmt: skip
        await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="help"))
        await publish(
            nats_client,
            SentimentScored(tenant_id=t, conversation_id=c, message_id="u1", score=-0.9, mood=-0.7, signals=["anger"]),
        )
        await feed.wait(lambda f: f.get("kind") == "summary" and (f["visitor"] or {}).get("mood_words") == "angry")
        await publish(
            nats_client,
            MessageCompleted(tenant_id=t, conversation_id=c, message_id="r1", role="assistant", text="So sorry!"),
        )
        frame = await feed.wait(lambda f: f.get("kind") == "summary" and f["visitor"]["last_message"] == "So sorry!")
        await feed.wait(lambda f: f.get("kind") == "conversation" and f["conversation"]["state"] == "queued")
    visitor = frame["visitor"]
    assert frame["conversation_id"] == c
    assert visitor["label"] == visitor_label("v_abc", c)
    assert (visitor["page"], visitor["language"], visitor["mood"]) == ("/products/trail-tent", "de-DE", -0.7)
    assert (visitor["last_role"], visitor["verified"]) == ("assistant", False)

    listed = (await api.get("/v1/conversations", params={"state": "queued"}, headers=auth)).json()
    assert [x["conversation_id"] for x in listed] == [c]
    assert listed[0]["visitor"]["label"] == visitor["label"]
    assert listed[0]["visitor"]["mood_words"] == "angry"
    one = (await api.get(f"/v1/conversations/{c}", headers=auth)).json()
    assert one["visitor"]["page"] == "/products/trail-tent"

    async def search(q: str) -> list[str]:
        found = await api.get("/v1/conversations", params={"q": q}, headers=auth)
        assert found.status_code == 200
        return [x["conversation_id"] for x in found.json()]

    assert await search("trail-TENT") == [c]  # the page, any case
    assert await search(visitor["label"]) == [c]  # the name
    assert await search("sorry angry") == [c]  # every word: the message and the mood
    assert await search("sorry happy") == []
    assert await search("nowhere") == []
    other = await api.get("/v1/conversations", params={"q": "trail"}, headers=tenants.auth(tenant=tenants.other))
    assert other.json() == []  # another tenant never finds it


def test_a_verified_visitor_is_called_by_name_or_email_an_anonymous_one_never() -> None:
    now = utcnow()
    base = ConversationSummary(tenant_id="t", conversation_id="c")

    def said(visitor: str, name: str | None, email: str | None) -> ConversationSummary:
        message = UserMessage(
            tenant_id="t", conversation_id="c", message_id="m", client_id="m", visitor_id=visitor, text="Hi",
            visitor_name=name, visitor_email=email, ts=now,
        )  # fmt: skip
        summary = updated(base, message)
        assert summary is not None
        return summary

    named = visitor_view(said("u_1", "Alice Liddell", "alice@example.com"), "c")
    assert (named.label, named.name, named.email, named.verified) == (
        "Alice Liddell",
        "Alice Liddell",
        "alice@example.com",
        True,
    )
    assert visitor_view(said("u_1", None, "alice@example.com"), "c").label == "alice@example.com"
    forged = visitor_view(said("v_1", "The CEO", "ceo@example.com"), "c")  # anonymous: never trusted
    assert (forged.label, forged.name, forged.email) == (visitor_label("v_1", "c"), None, None)
