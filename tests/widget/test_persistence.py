"""Where the visitor left off: the panel stays open, the transcript where they were reading and the
half-typed message in the box across a reload and a navigation to another page; a "new messages"
pill when something arrives while they read above; sending always brings their message into
view (headless Chromium, real gateway)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.widget.conftest import GatewayServer, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

ACME = '<switchboard-chat widget-key="pk_demo_acme"></switchboard-chat>'
LONG = "\n\n".join(f"Paragraph {i}: tents, boots and backpacks are covered by our returns policy." for i in range(6))

SCROLL = "(el) => el.shadowRoot.querySelector('[part~=\"messages\"]').scrollTop"
AT_END = """(el) => { const log = el.shadowRoot.querySelector('[part~="messages"]');
  return log.scrollHeight - log.scrollTop - log.clientHeight < 2; }"""


async def scroll_to(widget: Any, top: int) -> None:
    await widget.evaluate(
        "(el, top) => { const log = el.shadowRoot.querySelector('[part~=\"messages\"]'); log.scrollTop = top;"
        " log.dispatchEvent(new Event('scroll')); }",
        top,
    )


async def test_open_state_scroll_and_draft_survive_reload_and_navigation(
    page: Any, gateway: GatewayServer, bots: Any
) -> None:
    await open_host(page, gateway, host_page(ACME))
    widget = page.locator("switchboard-chat")
    await widget.locator('[part~="launcher"]').click()
    bot = await bots("acme", await conversation_of(page))
    box = widget.locator('textarea[part~="input"]')
    await box.fill("Tell me about returns")
    await box.press("Enter")
    await bot.wait_for("message.user")
    for _ in range(4):
        await bot.reply(LONG)
    rows = widget.locator('[part~="row-assistant"]')
    await expect(rows).to_have_count(4)
    assert await widget.evaluate(AT_END)
    await scroll_to(widget, 300)
    await box.fill("I bought boots in M")  # not sent

    for where in ("reload", "navigation"):
        if where == "reload":
            await page.reload()
        else:
            await open_host(page, gateway, host_page(ACME), path="/__test/another-page")
        await expect(widget.locator('[part~="panel"]')).to_be_visible()  # open without a click
        await expect(rows).to_have_count(4)
        await expect(box).to_have_value("I bought boots in M")
        await page.wait_for_function(
            """(top) => { const el = document.querySelector('switchboard-chat');
                 return Math.abs(el.shadowRoot.querySelector('[part~="messages"]').scrollTop - top) <= 2; }""",
            arg=300,
        )
        assert not await widget.evaluate(AT_END), f"after the {where} the transcript is where the visitor read"

    # Something arrives while the visitor reads above: the pill, and their place is kept.
    pill = widget.locator('[part~="new-messages"]')
    await expect(pill).to_be_hidden()
    await bot.reply("One more thing: boots must be unworn.")
    await expect(rows).to_have_count(5)
    await expect(pill).to_be_visible()
    await expect(pill).to_have_text("New messages ↓")
    assert abs(await widget.evaluate(SCROLL) - 300) <= 2
    await pill.click()
    assert await widget.evaluate(AT_END)
    await expect(pill).to_be_hidden()
    await expect(box).to_be_focused()

    # Reading above again, the visitor sends: their message comes into view; the draft is gone.
    await scroll_to(widget, 0)
    await box.fill("Thanks!")
    await box.press("Enter")
    await bot.wait_for("message.user", text="Thanks!")
    assert await widget.evaluate(AT_END)
    await expect(widget.locator('[part~="row-visitor"]').last).to_be_in_viewport()
    await page.reload()
    await expect(box).to_have_value("")

    # Closed stays closed.
    await widget.locator('[part~="close-button"]').click()
    await page.reload()
    await expect(widget.locator('[part~="launcher"]')).to_be_visible()
    await expect(widget.locator('[part~="panel"]')).to_be_hidden()
