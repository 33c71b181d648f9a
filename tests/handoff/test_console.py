"""The agent console in headless Chromium: queue, claim, streaming transcript, alerts, reply, hand back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest

from shared.events import (
    HandoffRequested,
    MessageCompleted,
    MessageCreated,
    MessageDelta,
    MessageFlagged,
    SentimentScored,
    UserMessage,
    VisitorTyping,
)
from shared.settings import REPO_ROOT
from tests.browser import chromium
from tests.handoff.conftest import Service, Tenants, token
from tests.handoff.test_flow import publish

pytestmark = [pytest.mark.browser, pytest.mark.connected]

ARTIFACTS = REPO_ROOT / "test-artifacts" / "handoff"


@pytest.fixture
async def page() -> AsyncIterator[Any]:
    async with chromium() as browser:
        context = await browser.new_context(viewport={"width": 1300, "height": 820})
        context.set_default_timeout(15_000)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page
    assert errors == [], f"Expected no script errors in the console, got {errors}"


def shot(name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / name)


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_console_claims_streams_alerts_replies_and_hands_back(
    page: Any, service: Service, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    from playwright.async_api import expect

    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await page.goto(service.url + "/console")
    await page.get_by_test_id("token").fill(token(t, "alice"))
    await page.get_by_test_id("sign-in").click()
    await expect(page.get_by_test_id("me")).to_have_text(f"Alice of {t[:4]}")

    await publish(
        nats_client,
        UserMessage(
            tenant_id=t, conversation_id=c, message_id="u1", client_id="u1", visitor_id="v", text="Where is my parcel?"
        ),
    )
    await publish(
        nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="wants a human")
    )
    item = page.locator(f'[data-testid="conversation-item"][data-conversation-id="{c}"]')
    await expect(item).to_be_visible()
    await item.click()
    await expect(page.get_by_test_id("conversation-state")).to_have_text("queued")
    await expect(page.get_by_test_id("message-text").first).to_have_text("Where is my parcel?")

    # claim: the widget is told who joined (live events of a conversation come only to its agent)
    await page.get_by_test_id("claim").click()
    await expect(page.get_by_test_id("conversation-state")).to_have_text(f"assigned to Alice of {t[:4]}")
    accepted = await widget.wait(lambda e: e["type"] == "handoff.accepted")
    assert accepted["agent"]["name"] == f"Alice of {t[:4]}"

    # once it is hers, live events show: a reply streaming token by token (a tenant may let the AI
    # answer alongside the agent), flags and the mood
    await publish(nats_client, MessageCreated(tenant_id=t, conversation_id=c, message_id="r1", role="assistant"))
    text = ""
    for piece in ["Your parcel ", "left our depot ", "yesterday."]:
        await publish(
            nats_client, MessageDelta(tenant_id=t, conversation_id=c, message_id="r1", offset=len(text), text=piece)
        )
        text += piece
    streaming = page.locator('[data-message-id="r1"]')
    await expect(streaming).to_have_class("msg assistant streaming")
    await expect(streaming.get_by_test_id("message-text")).to_have_text(text)
    await page.screenshot(path=shot("01-streaming.png"))
    await publish(
        nats_client, MessageCompleted(tenant_id=t, conversation_id=c, message_id="r1", role="assistant", text=text)
    )
    await expect(streaming).to_have_class("msg assistant")

    # a flagged sentence and a bad mood raise alerts
    await publish(
        nats_client,
        MessageFlagged(
            tenant_id=t,
            conversation_id=c,
            message_id="r1",
            start=14,
            end=27,
            sentence="left our depot",
            score=0.9,
            reason="not in the sources",
            method="grounding",
        ),
    )
    await publish(
        nats_client,
        SentimentScored(tenant_id=t, conversation_id=c, message_id="u1", score=-0.9, mood=-0.8, signals=["anger"]),
    )
    await expect(page.get_by_test_id("alert-flag")).to_contain_text("not in the sources")
    await expect(page.get_by_test_id("alert-mood")).to_contain_text("Bad mood")
    await expect(streaming.get_by_test_id("flag")).to_contain_text("not in the sources")
    await expect(page.get_by_test_id("mood")).to_have_text("mood: angry (-0.80)")
    await page.screenshot(path=shot("02-alerts.png"))

    # visitor typing shows; agent typing and the reply reach the widget
    await publish(nats_client, VisitorTyping(tenant_id=t, conversation_id=c, on=True))
    await expect(page.get_by_test_id("visitor-typing")).to_be_visible()
    await page.get_by_test_id("reply").fill("Hi! Let me check that for you.")
    await page.get_by_test_id("reply").press("a")
    typing = await widget.wait(lambda e: e["type"] == "typing" and e["on"])
    assert typing["who"] == "agent"
    await page.get_by_test_id("reply").fill("Hi! Let me check that for you.")
    await page.get_by_test_id("reply").press("Enter")
    sent = await widget.wait(lambda e: e["type"] == "message.completed" and e["role"] == "agent")
    assert sent["text"] == "Hi! Let me check that for you."
    await expect(page.locator('[data-role="agent"]').get_by_test_id("message-text")).to_have_text(sent["text"])
    await page.screenshot(path=shot("03-assigned-reply.png"))

    await page.get_by_test_id("handback").click()
    ended = await widget.wait(lambda e: e["type"] == "handoff.ended")
    assert ended["outcome"] == "back_to_ai"
    await expect(page.get_by_test_id("conversation-state")).to_have_text("ai")
    await page.screenshot(path=shot("04-handed-back.png"))


async def test_console_refuses_a_bad_token(page: Any, service: Service) -> None:
    from playwright.async_api import expect

    await page.goto(service.url + "/console")
    await page.get_by_test_id("token").fill("not-a-token")
    await page.get_by_test_id("sign-in").click()
    await expect(page.locator("#login-error")).to_have_text("That token was not accepted.")
    assert json.loads(await page.evaluate("JSON.stringify(sessionStorage.getItem('sb_agent_token'))")) is None


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_console_shows_components_and_actions_and_sends_quick_replies_and_a_card(
    page: Any, service: Service, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    from playwright.async_api import expect

    from shared.events import WidgetAction
    from shared.events.components import Button, Card, Carousel, Form, FormField

    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    tent = Card(
        title="Trail Tent 2P", subtitle="$249.00", buttons=[Button(label="Add to cart", action="add", value="t2")]
    )
    form = Form(id="f1", title="Track your order", action="track", fields=[FormField(name="n", label="Order number")])
    await page.goto(service.url + "/console")
    await page.get_by_test_id("token").fill(token(t, "alice"))
    await page.get_by_test_id("sign-in").click()
    await expect(page.get_by_test_id("me")).to_have_text(f"Alice of {t[:4]}")
    await publish(
        nats_client,
        MessageCompleted(
            tenant_id=t,
            conversation_id=c,
            message_id="r0",
            role="assistant",
            text="Here are our tents.",
            components=[Carousel(id="car1", cards=[tent]), form],
        ),
    )
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="help"))
    item = page.locator(f'[data-testid="conversation-item"][data-conversation-id="{c}"]')
    await item.click()
    # from the transcript: what the visitor was shown, in words
    shown = page.locator('[data-message-id="r0"]').get_by_test_id("shown-component")
    await expect(shown).to_have_text(
        ["▣ Carousel of 1: Trail Tent 2P $249.00", "▣ Form “Track your order”: Order number"]
    )
    await page.get_by_test_id("claim").click()
    await expect(page.get_by_test_id("conversation-state")).to_have_text(f"assigned to Alice of {t[:4]}")

    # live: the visitor uses them while the conversation is Alice's
    for n, (name, value, cid) in enumerate([("add", "t2", "car1"), ("track", {"n": "A1001"}, "f1")]):
        await publish(
            nats_client,
            WidgetAction(tenant_id=t, conversation_id=c, action_id=f"a{n}", name=name, value=value, component_id=cid),
        )
    visitor = page.locator(".msg.visitor.action").get_by_test_id("message-text")
    await expect(visitor).to_have_text(
        ["Clicked “Add to cart” on “Trail Tent 2P”", "Submitted “Track your order” — Order number: A1001"]
    )

    # Alice answers with quick replies and a card
    await page.get_by_test_id("reply").fill("Your order has shipped.")
    await page.locator("details.extras summary").click()
    await page.get_by_test_id("quick-replies").fill("Thanks!, Where is it now?")
    await page.get_by_test_id("card-title").fill("Order A1001")
    await page.get_by_test_id("card-text").fill("Shipped Monday")
    await page.get_by_test_id("card-url").fill("https://track.example/A1001")
    await page.get_by_test_id("send").click()
    sent = await widget.wait(lambda e: e["type"] == "message.completed" and e["role"] == "agent")
    card, replies = sent["components"]
    assert (card["type"], card["title"], card["text"]) == ("card", "Order A1001", "Shipped Monday")
    assert card["buttons"][0]["url"] == "https://track.example/A1001"
    assert [r["label"] for r in replies["replies"]] == ["Thanks!", "Where is it now?"]
    agent_shown = page.locator('[data-role="agent"]').get_by_test_id("shown-component")
    await expect(agent_shown).to_have_text(
        ["▣ Card “Order A1001” with “Open”", "▣ Quick replies “Thanks!”, “Where is it now?”"]
    )
    await page.screenshot(path=shot("05-components.png"))
