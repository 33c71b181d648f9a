"""The widget on a phone (360x640, touch, headless Chromium, real gateway): a full-screen panel, the
page behind it locked, no launcher over it, 16 px inputs (no iOS zoom), a header that stays small
and touch targets of at least 24x24 px (WCAG 2.2 AA 2.5.8)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import expect

from shared.events import MessageFlagged, Source
from shared.events.components import Button, Card, QuickReplies
from tests.widget.conftest import GatewayServer, artifact, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

PHONE = {"width": 360, "height": 640}
ACME = '<switchboard-chat widget-key="pk_demo_acme"></switchboard-chat>'
TALL_PAGE = '<main style="height: 3000px">A long host page that scrolls.</main>'
# A phone lays out a page without this at 980 px wide; every mobile site has it.
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'

# Every element a finger may need to hit, with its size; links inside a sentence of a message
# are exempt (WCAG 2.5.8 "inline").
TARGETS = """(host) => [...host.shadowRoot.querySelectorAll(
    'button, a[href], [role="button"], input, select, textarea, summary')]
  .filter((el) => el.getClientRects().length && !el.closest('[part~="content"]'))
  .map((el) => { const r = el.getBoundingClientRect();
    return {part: el.getAttribute('part') || el.tagName, width: r.width, height: r.height}; })"""

PAGE_OVERFLOW = "() => [document.documentElement, document.body].map((el) => getComputedStyle(el).overflow)"


@pytest.fixture
async def phone(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(15_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    await context.close()
    assert errors == [], f"Expected no script errors in the page, got {errors}"


async def test_phone_gets_a_full_screen_panel_over_a_locked_page(phone: Any, gateway: GatewayServer, bots: Any) -> None:
    page = phone
    await open_host(page, gateway, host_page(ACME, head=VIEWPORT, body=TALL_PAGE))
    widget = page.locator("switchboard-chat")
    launcher = widget.locator('[part~="launcher"]')
    panel = widget.locator('[part~="panel"]')
    assert await page.evaluate(PAGE_OVERFLOW) == ["visible", "visible"]

    await launcher.tap()
    await expect(panel).to_be_visible()
    await expect(launcher).to_be_hidden()  # the panel covers the screen; its close button closes it
    await panel.evaluate("(el) => Promise.all(el.getAnimations().map((a) => a.finished))")  # the tenant's pop-in
    assert await panel.bounding_box() == {"x": 0, "y": 0, **PHONE}
    assert await page.evaluate(PAGE_OVERFLOW) == ["hidden", "hidden"]
    box = widget.locator('textarea[part~="input"]')
    assert float((await box.evaluate("(el) => getComputedStyle(el).fontSize")).removesuffix("px")) >= 16

    bot = await bots("acme", await conversation_of(page))
    await box.fill("Can I return boots?")
    await box.press("Enter")
    user = await bot.wait_for("message.user")
    text = "Yes, within 30 days. See [the policy](https://acme.example/returns). The moon is cheese."
    reply = await bot.reply(
        text,
        reply_to=user["message_id"],
        sources=[Source(id="kb-1", title="Returns policy", url="https://acme.example/returns", snippet="...")],
        components=[
            Card(title="Returns", buttons=[Button(label="Start", action="ret", style="primary")]),
            QuickReplies(replies=[Button(label="Thanks"), Button(label="More")]),
        ],
    )
    start = text.index("The moon")
    await bot.emit(
        MessageFlagged, message_id=reply, start=start, end=len(text), sentence=text[start:], score=0.9,
        reason="not in the sources", method="grounding",
    )  # fmt: skip
    row = widget.locator(f'[data-message-id="{reply}"]')
    await expect(row.locator('[part~="flag-ask"]')).to_be_visible()
    await expect(row.locator('[part~="quick-reply"]')).to_have_count(2)
    await page.screenshot(path=artifact("mobile-acme.png"))

    targets = await widget.evaluate(TARGETS)
    parts = " ".join(t["part"] for t in targets)
    for needed in ("close-button", "handoff-button", "send", "feedback-up", "source", "flag-ask", "quick-reply"):
        assert needed in parts, f"expected a {needed} target, got {parts}"
    small = [t for t in targets if t["width"] < 24 or t["height"] < 24]
    assert small == [], f"touch targets under 24x24 px: {small}"

    # Long German words in every header layout: the header keeps under a third of the panel.
    long = {
        "title": "Kundendienst der Acme Outdoor Ausrüstungsgesellschaft mit beschränkter Haftung",
        "subtitle": "Wir antworten normalerweise innerhalb weniger Sekunden, sieben Tage die Woche, rund um die Uhr",
        "handoff": "Mit einem Menschen sprechen",
    }
    header = widget.locator('[part~="header"]')
    for layout in ("classic", "centered", "compact", "minimal"):
        await widget.evaluate("(el, cfg) => el.setConfig(cfg)", {"strings": long, "header": layout})
        height = (await header.bounding_box())["height"]
        assert height < PHONE["height"] / 3, f"{layout} header is {height}px high on a {PHONE['height']}px panel"
        overflow = await header.evaluate("(el) => el.scrollWidth - el.clientWidth")
        assert overflow <= 0, f"{layout} header overflows sideways by {overflow}px"

    # Closing gives the page back its scrolling and its launcher.
    await widget.locator('[part~="close-button"]').tap()
    await expect(panel).to_be_hidden()
    await expect(launcher).to_be_visible()
    assert await page.evaluate(PAGE_OVERFLOW) == ["visible", "visible"]


async def test_wide_screen_keeps_the_floating_panel_and_the_page_scrolling(phone: Any, gateway: GatewayServer) -> None:
    page = phone
    await open_host(page, gateway, host_page(ACME, head=VIEWPORT, body=TALL_PAGE))
    widget = page.locator("switchboard-chat")
    await widget.locator('[part~="launcher"]').tap()
    panel = widget.locator('[part~="panel"]')
    await expect(panel).to_be_visible()
    assert await page.evaluate(PAGE_OVERFLOW) == ["hidden", "hidden"]

    # Turned into a tablet (wider than 600 px): a floating panel again, the page scrolls, the launcher shows.
    # The lock follows a media-query change event: wait for it (the launcher follows CSS at once).
    await page.set_viewport_size({"width": 1000, "height": 800})
    await expect(widget.locator('[part~="launcher"]')).to_be_visible()
    await page.wait_for_function(f"({PAGE_OVERFLOW})().every((o) => o === 'visible')", timeout=5000)
    assert await page.evaluate(PAGE_OVERFLOW) == ["visible", "visible"]
    width = (await panel.bounding_box())["width"]
    assert width < 400, f"expected the floating panel (370 px), got {width}px"
    # Back to a phone while open: locked again.
    await page.set_viewport_size(PHONE)
    await expect(widget.locator('[part~="launcher"]')).to_be_hidden()
    await page.wait_for_function(f"({PAGE_OVERFLOW})().every((o) => o === 'hidden')", timeout=5000)
    assert await page.evaluate(PAGE_OVERFLOW) == ["hidden", "hidden"]
