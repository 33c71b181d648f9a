"""The console's list in Chromium: visitors by name, preview, page, language, wait and mood; urgency; search."""

from __future__ import annotations

from typing import Any

import nats
import pytest

from handoff.summaries import visitor_label
from shared.events import HandoffRequested, SentimentScored, UserMessage
from tests.handoff.conftest import Service, Tenants
from tests.handoff.console_page import axe_violations, console, sign_in
from tests.handoff.test_flow import publish

__all__ = ["console"]  # the fixture, used by name
pytestmark = [pytest.mark.browser, pytest.mark.connected]


async def ask(nc: nats.NATS, t: str, c: str, visitor: str, text: str, page: str, language: str) -> None:
    await publish(
        nc,
        UserMessage(
            tenant_id=t, conversation_id=c, message_id=f"{c}-1", client_id="1", visitor_id=visitor, text=text,
            page=page, language=language,
        ),
    )  # fmt: skip
    await publish(nc, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="wants a human"))


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_the_queue_names_visitors_shows_where_they_are_and_how_they_feel_most_urgent_first(
    console: Any, service: Service, tenants: Tenants, nats_client: nats.NATS
) -> None:
    from playwright.async_api import expect

    t = tenants.main
    calm, angry = "c" * 31 + "1", "c" * 31 + "2"
    await sign_in(console, service, t)
    await ask(nats_client, t, calm, "v_calm", "Do you ship to Norway?", "/shipping", "nb-NO")
    rows = console.get_by_test_id("conversation-item")
    await expect(rows).to_have_count(1)  # queued (a request racing the first message may be retried)
    await ask(nats_client, t, angry, "v_angry", "Third time asking: WHERE IS MY REFUND", "/account/orders", "en-GB")
    await expect(rows).to_have_count(2)
    # queued first is first…
    await expect(rows.get_by_test_id("visitor-name")).to_have_text(
        [visitor_label("v_calm", calm), visitor_label("v_angry", angry)]
    )
    # …until the second visitor turns out to be angry: a bad mood counts as minutes of waiting
    await publish(
        nats_client,
        SentimentScored(tenant_id=t, conversation_id=angry, message_id=f"{angry}-1", score=-0.9, mood=-0.8),
    )
    await expect(rows.get_by_test_id("visitor-name")).to_have_text(
        [visitor_label("v_angry", angry), visitor_label("v_calm", calm)]
    )
    first = rows.first
    await expect(first.get_by_test_id("mood-word")).to_have_text("angry")
    await expect(first.get_by_test_id("preview")).to_have_text("Third time asking: WHERE IS MY REFUND")
    await expect(first.get_by_test_id("where")).to_have_text("/account/orders · en-GB")
    await expect(first.get_by_test_id("wait")).to_have_text("waiting under a minute")
    await expect(rows.nth(1).get_by_test_id("mood-word")).to_have_count(0)  # not scored: no word

    # opening one shows the visitor's name, page and language in its header, the mood in words
    await first.click()
    await expect(console.get_by_test_id("conversation-title")).to_have_text(visitor_label("v_angry", angry))
    await expect(console.get_by_test_id("conversation-where")).to_have_text("/account/orders · en-GB")
    await expect(console.get_by_test_id("mood")).to_have_text("mood: angry (-0.80)")
    assert await axe_violations(console) == []

    # search: every word, in name, message, page or language; nothing found says so
    search = console.get_by_test_id("search")
    await search.fill("norway")
    await expect(rows.get_by_test_id("visitor-name")).to_have_text([visitor_label("v_calm", calm)])
    await search.fill("/account refund")
    await expect(rows.get_by_test_id("visitor-name")).to_have_text([visitor_label("v_angry", angry)])
    await search.fill(visitor_label("v_calm", calm).lower())
    await expect(rows).to_have_count(1)
    await search.fill("refund norway")
    await expect(rows).to_have_count(0)
    await expect(console.get_by_test_id("list-empty")).to_have_text("No conversation matches.")
    await search.fill("")
    await expect(rows).to_have_count(2)


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_a_verified_visitor_is_listed_by_name_with_their_email(
    console: Any, service: Service, tenants: Tenants, nats_client: nats.NATS, conversation_id: str
) -> None:
    from playwright.async_api import expect

    t, c = tenants.main, conversation_id
    await sign_in(console, service, t)
    await publish(
        nats_client,
        UserMessage(
            tenant_id=t, conversation_id=c, message_id="m1", client_id="1", visitor_id="u_alice", text="Hi",
            page="/billing", visitor_name="Alice Liddell", visitor_email="alice@example.com",
        ),
    )  # fmt: skip
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="billing"))
    row = console.get_by_test_id("conversation-item")
    await expect(row.get_by_test_id("visitor-name")).to_have_text("Alice Liddell")
    await expect(row.get_by_test_id("verified")).to_have_text("✓ verified")
    await expect(row.get_by_test_id("where")).to_have_text("alice@example.com · /billing")
    await console.get_by_test_id("search").fill("alice@example")
    await expect(row).to_have_count(1)
    await row.click()
    await expect(console.get_by_test_id("conversation-title")).to_have_text("Alice Liddell")
