"""The console's layout holds whatever a visitor types, and axe-core finds nothing to fix (Chromium)."""

from __future__ import annotations

from typing import Any

import nats
import pytest

from shared.events import HandoffRequested, MessageFlagged, UserMessage
from tests.handoff.conftest import Service, Tenants
from tests.handoff.console_page import axe_violations, console, sign_in
from tests.handoff.test_console import shot
from tests.handoff.test_flow import publish

__all__ = ["console"]  # the fixture, used by name
pytestmark = [pytest.mark.browser, pytest.mark.connected]

LONG = "A" * 5000  # one word of 5000 characters: no break opportunity at all

# Horizontal overflow of the page, the side list, the transcript and each bubble (0 = none).
OVERFLOW = """() => {
  const over = (el) => el ? Math.max(0, el.scrollWidth - el.clientWidth) : -1;
  const bubbles = [...document.querySelectorAll('[data-testid="message"]')];
  const transcript = document.querySelector('[data-testid="transcript"]').getBoundingClientRect();
  return {
    page: over(document.documentElement),
    list: over(document.querySelector('#list-panel')),
    transcript: over(document.querySelector('[data-testid="transcript"]')),
    bubbles: bubbles.map(over),
    outside: bubbles.filter((b) => b.getBoundingClientRect().right > transcript.right + 0.5).length,
    alerts: over(document.querySelector('[data-testid="alerts"]')),
  };
}"""


async def visible_h1(page: Any) -> list[str]:
    return list(
        await page.evaluate(
            "() => [...document.querySelectorAll('h1')]"
            ".filter((h) => h.offsetParent !== null).map((h) => h.textContent)"
        )
    )


async def test_sign_in_page_is_axe_clean_with_one_h1(console: Any, service: Service) -> None:
    await console.goto(service.url + "/console")
    assert await visible_h1(console) == ["Switchboard agent console"]
    assert await console.locator("h1").count() == 1
    assert await axe_violations(console) == []


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
@pytest.mark.parametrize("width", [1300, 760, 390])
async def test_a_5000_character_word_wraps_inside_its_bubble_and_the_console_stays_axe_clean(
    console: Any, service: Service, tenants: Tenants, nats_client: nats.NATS, conversation_id: str, width: int
) -> None:
    from playwright.async_api import expect

    t, c = tenants.main, conversation_id
    await console.set_viewport_size({"width": width, "height": 800})
    await sign_in(console, service, t)
    await publish(
        nats_client,
        UserMessage(tenant_id=t, conversation_id=c, message_id="u1", client_id="u1", visitor_id="v_1", text=LONG),
    )
    await publish(
        nats_client,
        MessageFlagged(
            tenant_id=t,
            conversation_id=c,
            message_id="u1",
            start=0,
            end=5000,
            sentence=LONG,
            score=0.9,
            reason="B" * 3000,
            method="grounding",
        ),
    )
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="C" * 2000))
    item = console.locator(f'[data-testid="conversation-item"][data-conversation-id="{c}"]')
    await item.click()
    bubble = console.locator('[data-message-id="u1"]')
    await expect(bubble.get_by_test_id("message-text")).to_have_text(LONG)
    await expect(bubble.get_by_test_id("flag")).to_contain_text("BBBB")
    await expect(console.get_by_test_id("alert-request")).to_be_visible()

    await console.screenshot(path=shot(f"10-long-word-{width}.png"))
    layout = await console.evaluate(OVERFLOW)
    assert layout == {"page": 0, "list": 0, "transcript": 0, "bubbles": [0], "outside": 0, "alerts": 0}, layout
    box = await bubble.bounding_box()
    assert box is not None
    assert box["width"] <= width, box  # it wrapped: far narrower than 5000 glyphs
    assert box["height"] > 200, box  # …onto many lines

    # exactly one h1 (the sign-in form's heading is gone with it), tabs as tabs, and axe is happy
    assert await visible_h1(console) == ["Switchboard agent console"]
    assert await console.locator("h1").count() == 1
    tabs = console.get_by_role("tab")
    await expect(tabs).to_have_count(4)
    await expect(console.get_by_test_id("tab-queued")).to_have_attribute("aria-selected", "true")
    assert await axe_violations(console) == []

    # the tabs follow the tabs pattern: arrows move selection and the list follows
    await console.get_by_test_id("tab-queued").focus()
    await console.keyboard.press("ArrowRight")
    mine = console.get_by_test_id("tab-assigned")
    await expect(mine).to_be_focused()
    await expect(mine).to_have_attribute("aria-selected", "true")
    await expect(console.get_by_test_id("tab-queued")).to_have_attribute("aria-selected", "false")
    await expect(console.locator("#list-panel")).to_have_attribute("aria-labelledby", "tab-assigned")
    await expect(item).to_have_count(0)
    await console.keyboard.press("ArrowLeft")
    await expect(item).to_be_visible()
