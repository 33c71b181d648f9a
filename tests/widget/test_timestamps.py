"""When each message was written, and what became of the visitor's: <time datetime> with the
relative time shown and the full time on hover and focus; sending / sent / not sent under the
visitor's messages (headless Chromium, real gateway restarted to hold a message back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from tests.widget.conftest import GatewayServer, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

GLOBEX = (
    '<div style="height:700px"><switchboard-chat widget-key="pk_demo_globex" reconnect-base-ms="100"'
    ' reconnect-max-ms="800"></switchboard-chat></div>'
)


def parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


async def test_messages_carry_times_and_delivery_states(page: Any, gateway: GatewayServer, bots: Any) -> None:
    await open_host(page, gateway, host_page(GLOBEX))
    widget = page.locator("switchboard-chat")
    bot = await bots("globex", await conversation_of(page))
    box = widget.locator('textarea[part~="input"]')

    await box.fill("First question")
    await box.press("Enter")
    await bot.wait_for("message.user", text="First question")
    first = widget.locator('[part~="row-visitor"]').nth(0)
    status = first.locator('[part~="message-status"]')
    await expect(status).to_have_attribute("data-state", "sent")
    await expect(status).to_have_text("Sent")
    stamp = first.locator('time[part~="time"]')
    await expect(stamp).to_have_text("now")
    sent_at = parse(await stamp.get_attribute("datetime"))
    assert abs(sent_at - datetime.now(UTC)) < timedelta(minutes=1)
    # The full time: the title on hover, shown after the relative time on keyboard focus.
    title = await stamp.get_attribute("title")
    assert str(sent_at.astimezone().year) in title
    assert "now" not in title
    await stamp.focus()
    after = await stamp.evaluate("(el) => getComputedStyle(el, '::after').content")
    assert title in after, f"expected the full time after focus, got {after}"

    # A reply finished five minutes ago (as stored) reads "5 min. ago".
    five_ago = datetime.now(UTC) - timedelta(minutes=5)
    reply = await bot.reply("Here you go.", author="Max", ts=five_ago)
    reply_stamp = widget.locator(f'[data-message-id="{reply}"] time[part~="time"]')
    await expect(reply_stamp).to_have_text("5 min. ago")
    stored = parse(await reply_stamp.get_attribute("datetime"))
    assert stored == five_ago.replace(microsecond=five_ago.microsecond // 1000 * 1000)  # JS keeps milliseconds

    # The gateway goes away: the next message waits as "Sending…", then becomes "Sent" once acked.
    await gateway.stop()
    await expect(widget).to_have_attribute("data-status", "reconnecting")
    await box.fill("Second question")
    await box.press("Enter")
    second = widget.locator('[part~="row-visitor"]').nth(1)
    await expect(second.locator('[part~="message-status"]')).to_have_attribute("data-state", "sending")
    await expect(second.locator('[part~="message-status"]')).to_have_text("Sending…")
    await gateway.start()
    await bot.wait_for("message.user", text="Second question")
    await expect(second.locator('[part~="message-status"]')).to_have_text("Sent")
    # "Sent" stays under the latest message only.
    await expect(status).to_be_hidden()

    # A message the server refuses for good is marked "Not sent" (and never resent).
    await widget.evaluate("(el) => el.send('x'.repeat(8001))")
    third = widget.locator('[part~="row-visitor"]').nth(2)
    await expect(third.locator('[part~="message-status"]')).to_have_attribute("data-state", "failed")
    await expect(third.locator('[part~="message-status"]')).to_have_text("Not sent")
    await expect(widget.locator('[part~="error"]')).to_have_text("That message is too long.")
    await expect(second.locator('[part~="message-status"]')).to_be_visible()  # the last one that was sent


async def test_relative_times_age_without_a_new_message(page: Any, gateway: GatewayServer, bots: Any) -> None:
    await page.clock.install()  # the widget's 30 s refresh runs on the page's (now controlled) timers
    await open_host(page, gateway, host_page(GLOBEX))
    widget = page.locator("switchboard-chat")
    bot = await bots("globex", await conversation_of(page))
    reply = await bot.reply("Hello there.", author="Max")
    stamp = widget.locator(f'[data-message-id="{reply}"] time[part~="time"]')
    await expect(stamp).to_have_text("now")
    title = await stamp.get_attribute("title")
    await page.clock.run_for(2 * 60_000 + 5_000)
    await expect(stamp).to_have_text("2 min. ago")
    assert await stamp.get_attribute("title") == title  # the full time does not move
