"""Canned replies: per tenant (HandoffRules.canned_replies), served to its agents, inserted by /shortcut."""

from __future__ import annotations

from typing import Any

import httpx
import nats
import pytest
from pydantic import ValidationError

from shared.events import HandoffRequested, UserMessage
from shared.tenants import CannedReply
from tests.handoff.conftest import Service, Tenants
from tests.handoff.console_page import console, sign_in
from tests.handoff.test_flow import publish

__all__ = ["console"]  # the fixture, used by name
pytestmark = [pytest.mark.connected]

CANNED = [
    {
        "shortcut": "shipping",
        "title": "Shipping times",
        "text": "We ship within **2 days**; tracking follows by email.",
    },
    {"shortcut": "shop-hours", "text": "Our shop is open 9-17, Monday to Saturday."},
    {"shortcut": "refund", "title": "Refunds", "text": "Refunds take 5 working days."},
]


def test_a_shortcut_is_a_short_lowercase_word() -> None:
    assert CannedReply(shortcut="shop-hours", text="x").title == ""
    for bad in ("Shipping", "with space", "", "x" * 33):
        with pytest.raises(ValidationError):
            CannedReply(shortcut=bad, text="x")


@pytest.mark.parametrize("handoff_rules", [{"canned_replies": CANNED}])
async def test_agents_get_their_own_tenants_canned_replies(api: httpx.AsyncClient, tenants: Tenants) -> None:
    mine = await api.get("/v1/agents/me/canned-replies", headers=tenants.auth())
    assert [c["shortcut"] for c in mine.json()] == ["shipping", "shop-hours", "refund"]
    other = await api.get("/v1/agents/me/canned-replies", headers=tenants.auth(tenant=tenants.other))
    assert other.json() == []
    assert (await api.get("/v1/agents/me/canned-replies")).status_code == 401


@pytest.mark.browser
@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False, "canned_replies": CANNED}])
async def test_slash_shortcut_offers_matches_and_tab_or_a_click_inserts_one(
    console: Any, service: Service, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    from playwright.async_api import expect

    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await sign_in(console, service, t)
    await publish(
        nats_client,
        UserMessage(tenant_id=t, conversation_id=c, message_id="u1", client_id="u1", visitor_id="v_1", text="When?"),
    )
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="help"))
    await console.locator(f'[data-conversation-id="{c}"]').click()
    await console.get_by_test_id("claim").click()
    reply = console.get_by_test_id("reply")
    await expect(reply).to_be_enabled()

    offered = console.get_by_test_id("canned-reply")
    await reply.press_sequentially("/sh")
    await expect(offered).to_have_text(
        ["/shippingShipping times", "/shop-hoursOur shop is open 9-17, Monday to Saturday."]
    )
    await reply.press_sequentially("o")
    await expect(offered).to_have_count(1)
    await reply.press("Tab")
    await expect(reply).to_have_value(CANNED[1]["text"])
    await expect(console.get_by_test_id("canned")).to_be_hidden()
    await reply.press("Enter")  # now it sends
    sent = await widget.wait(lambda e: e["type"] == "message.completed" and e["role"] == "agent")
    assert sent["text"] == CANNED[1]["text"]

    await reply.press_sequentially("/")
    await expect(offered).to_have_count(3)
    await offered.filter(has_text="Refunds").click()
    await expect(reply).to_have_value(CANNED[2]["text"])
    await reply.fill("/nothing-like-it")
    await expect(console.get_by_test_id("canned")).to_be_hidden()
