"""Send, stream, feedback and keyboard use of the widget in headless Chromium against the real gateway."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from shared.events import Source
from tests.widget.conftest import GatewayServer, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

ACME = '<switchboard-chat widget-key="pk_demo_acme"></switchboard-chat>'


async def test_visitor_sends_and_sees_a_streamed_markdown_reply(page: Any, gateway: GatewayServer, bots: Any) -> None:
    await open_host(page, gateway, host_page(ACME))
    widget = page.locator("switchboard-chat")
    launcher = widget.locator('[part~="launcher"]')
    await expect(launcher).to_have_attribute("aria-expanded", "false")

    # Keyboard only: focus the launcher, open with Enter; focus lands in the message box.
    await launcher.focus()
    await page.keyboard.press("Enter")
    await expect(launcher).to_have_attribute("aria-expanded", "true")
    box = widget.locator('textarea[part~="input"]')
    await expect(box).to_be_focused()
    conversation = await conversation_of(page)
    bot = await bots("acme", conversation)

    await page.keyboard.type("How long do returns take?")
    await page.keyboard.press("Enter")
    user = await bot.wait_for("message.user", text="How long do returns take?")
    visitor_rows = widget.locator('[part~="row-visitor"]')
    await expect(visitor_rows).to_have_count(1)
    await expect(visitor_rows.locator('[part~="content"]')).to_have_text("How long do returns take?")

    # Stream: the text grows while the reply is open, and the AI typing indicator shows first.
    await bot.emit_typing()
    await expect(widget.locator('[part~="typing"]')).to_be_visible()
    await expect(widget.locator('[part~="typing-text"]')).to_contain_text("Ada")
    reply = await bot.start_reply(reply_to=user["message_id"])
    await bot.delta(reply, "Returns take **five")
    row = widget.locator(f'[data-message-id="{reply}"]')
    await expect(row).to_have_class("row assistant streaming")
    await expect(widget.locator('[part~="typing"]')).to_be_hidden()
    await expect(row.locator('[part~="content"]')).to_have_text("Returns take **five")
    await bot.delta(reply, " days**. See [our policy](https://acme.example/returns).")
    await expect(row.locator("strong")).to_have_text("five days")
    await bot.complete(
        reply,
        sources=[Source(id="kb-1", title="Returns policy", url="https://acme.example/returns", snippet="...")],
    )
    await expect(row).to_have_class("row assistant")
    await expect(row.locator('[part~="content"]')).to_have_text("Returns take five days. See our policy.")
    await expect(row.locator('a[part~="md-link"]')).to_have_attribute("href", "https://acme.example/returns")
    await expect(row.locator('[part~="sources"] a')).to_have_text("Returns policy")
    # Announced once, whole, in the polite live region (not token by token).
    live = widget.locator('[part~="live"]')
    await expect(live).to_contain_text("Ada: Returns take five days.")

    # Feedback goes back over the socket and reaches the bus.
    up = row.locator('[part~="feedback-up"]')
    await up.click()
    await expect(up).to_have_attribute("aria-pressed", "true")
    feedback = await bot.wait_for("feedback", message_id=reply)
    assert feedback["rating"] == "up"

    # Escape closes the floating panel and gives focus back to the launcher.
    await box.focus()
    await page.keyboard.press("Escape")
    await expect(widget.locator('[part~="panel"]')).to_be_hidden()
    await expect(launcher).to_be_focused()
    assert len(await widget.locator('[part~="row"]').all()) == 2

    # Closed: a new answer shows as an unread badge on the launcher; opening clears it.
    badge = widget.locator('[part~="badge"]')
    await expect(badge).to_be_hidden()
    await bot.reply("Anything else?")
    await expect(badge).to_have_text("1")
    await expect(badge).to_have_attribute("aria-label", "1 unread")
    await launcher.click()
    await expect(badge).to_be_hidden()
    await expect(box).to_be_focused()


async def test_host_page_restyles_through_parts_templates_and_locales(page: Any, gateway: GatewayServer) -> None:
    head = "<style>switchboard-chat::part(launcher) { outline: 5px solid rgb(1, 2, 3); }</style>"
    tag = '<switchboard-chat widget-key="pk_demo_acme" lang="fr"></switchboard-chat>'
    await open_host(page, gateway, host_page(tag, head=head))
    widget = page.locator("switchboard-chat")
    await expect(widget.locator('[part~="launcher"]')).to_have_css("outline-color", "rgb(1, 2, 3)")
    await widget.evaluate(
        """(el) => el.setConfig({
          locales: {fr: {launcher_label: 'Discuter', placeholder: 'Votre question…', send: 'Envoyer'}},
          templates: {launcher: '<div part="launcher my-launcher"><span data-sb-slot="icon"></span>'
                                + '<b data-sb-text="label"></b></div>'},
          theme: {accent: '#6a1b9a'}, bubble: 'pill', header: 'compact', animation: 'none'})"""
    )
    launcher = widget.locator('[part~="my-launcher"]')
    await expect(launcher.locator("b")).to_have_text("Discuter")
    await expect(launcher).to_have_attribute("role", "button")
    await expect(launcher).to_have_css("outline-color", "rgb(1, 2, 3)")  # still the 'launcher' part
    await launcher.focus()
    await page.keyboard.press("Enter")
    await expect(launcher).to_have_attribute("aria-expanded", "true")
    await expect(widget.locator('textarea[part~="input"]')).to_have_attribute("placeholder", "Votre question…")
    await expect(widget.locator('[part~="send"]')).to_have_text("Envoyer")
    await expect(widget.locator('[part~="send"]')).to_have_css("background-color", "rgb(106, 27, 154)")
    await expect(widget.locator('[part~="root"]')).to_have_class("root floating b-pill h-compact a-none")
