"""Reconnect and reload: the gateway restarts mid-reply, the page reloads mid-reply; the widget
resumes after its last sequence and shows nothing twice and nothing missing."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.async_api import expect

from shared.events import Notice
from tests.widget.conftest import GatewayServer, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

GLOBEX = (
    '<div style="height:700px"><switchboard-chat widget-key="pk_demo_globex" reconnect-base-ms="100"'
    ' reconnect-max-ms="800"></switchboard-chat></div>'
)


async def test_gateway_restart_mid_reply_loses_and_doubles_nothing(
    page: Any, gateway: GatewayServer, bots: Any
) -> None:
    await open_host(page, gateway, host_page(GLOBEX))
    widget = page.locator("switchboard-chat")
    bot = await bots("globex", await conversation_of(page))
    box = widget.locator('textarea[part~="input"]')
    await box.fill("What is my balance?")
    await box.press("Enter")
    user = await bot.wait_for("message.user", text="What is my balance?")
    reply = await bot.start_reply(reply_to=user["message_id"], author="Max")
    await bot.delta(reply, "Part one, ")
    row = widget.locator(f'[data-message-id="{reply}"]')
    await expect(row.locator('[part~="content"]')).to_have_text("Part one,")

    await gateway.stop()
    await expect(widget).to_have_attribute("data-status", "reconnecting")
    # While the gateway is away: the reply goes on (deltas nobody delivers), a durable notice is
    # stored, and the visitor writes again (kept in the widget's outbox).
    await bot.delta(reply, "part two, ")
    await bot.emit(Notice, code="demo", text="An adviser has read your question.")
    await box.fill("Are you still there?")
    await box.press("Enter")
    pending = widget.locator('[part~="row-visitor"]').nth(1)
    await expect(pending).to_have_class("row visitor pending")

    await gateway.start()
    await expect(widget).to_have_attribute("data-status", "online")
    # Resumed: the reply's text so far came back as one delta at offset 0, then it goes on live.
    await expect(row.locator('[part~="content"]')).to_have_text("Part one, part two,")
    await bot.delta(reply, "part three.")
    await bot.complete(reply, author="Max")
    await expect(row).to_have_class("row assistant")
    await expect(row.locator('[part~="content"]')).to_have_text("Part one, part two, part three.")
    await bot.wait_for("message.user", text="Are you still there?")
    await expect(pending).to_have_class("row visitor")

    await expect(widget.locator('[part~="notice"]')).to_have_text("An adviser has read your question.")
    await expect(widget.locator('[part~="row-assistant"]')).to_have_count(1)
    await expect(widget.locator('[part~="row-visitor"] [part~="content"]')).to_have_text(
        ["What is my balance?", "Are you still there?"]
    )
    sent_twice = [e for e in bot.seen if e.get("type") == "message.user" and e["text"] == "Are you still there?"]
    assert len(sent_twice) == 1, "the queued message is stored once"


async def test_reload_mid_reply_shows_history_once_and_resumes(page: Any, gateway: GatewayServer, bots: Any) -> None:
    await open_host(page, gateway, host_page(GLOBEX))
    widget = page.locator("switchboard-chat")
    bot = await bots("globex", await conversation_of(page))
    box = widget.locator('textarea[part~="input"]')
    await box.fill("Hi")
    await box.press("Enter")
    first = await bot.wait_for("message.user", text="Hi")
    done = await bot.reply("Hello! How can I help?", reply_to=first["message_id"])
    await expect(widget.locator(f'[data-message-id="{done}"]')).to_have_class("row assistant")
    await box.fill("Open an account")
    await box.press("Enter")
    second = await bot.wait_for("message.user", text="Open an account")
    reply = await bot.start_reply(reply_to=second["message_id"])
    await bot.delta(reply, "You can open one ")
    await expect(widget.locator(f'[data-message-id="{reply}"] [part~="content"]')).to_have_text("You can open one")
    last_seq = await widget.evaluate("(el) => el.state.lastSeq")
    assert last_seq > 0

    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    await page.reload()
    await conversation_of(page)
    # It asked only for what came after its last sequence; history came from its own cache.
    assert parse_qs(urlparse(sockets[0]).query)["after_seq"] == [str(last_seq)]
    row = widget.locator(f'[data-message-id="{reply}"]')
    await expect(row.locator('[part~="content"]')).to_have_text("You can open one")
    await bot.delta(reply, "online in five minutes.")
    await bot.complete(reply)
    await expect(row).to_have_class("row assistant")
    await expect(row.locator('[part~="content"]')).to_have_text("You can open one online in five minutes.")
    await expect(widget.locator('[part~="row-visitor"] [part~="content"]')).to_have_text(["Hi", "Open an account"])
    await expect(widget.locator('[part~="row-assistant"] [part~="content"]')).to_have_text(
        ["Hello! How can I help?", "You can open one online in five minutes."]
    )


async def test_backoff_is_exponential_jittered_and_capped(page: Any, gateway: GatewayServer) -> None:
    await open_host(page, gateway, host_page())
    await page.wait_for_function("() => window.Switchboard")
    bounds = await page.evaluate(
        """() => [0, 1, 2, 3, 4, 5, 6, 10, 40].map((n) => [
            Switchboard.backoff(n, 500, 20000, () => 0), Switchboard.backoff(n, 500, 20000, () => 0.999999)])"""
    )
    lows = [round(low) for low, _ in bounds]
    highs = [round(high) for _, high in bounds]
    assert lows == [250, 500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]
    assert highs == [500, 1000, 2000, 4000, 8000, 16000, 20000, 20000, 20000]
    samples = await page.evaluate("() => Array.from({length: 200}, () => Switchboard.backoff(3, 500, 20000))")
    assert all(2000 <= s <= 4000 for s in samples)
    assert len({round(s) for s in samples}) > 50, "jittered, not one fixed delay"


async def test_widget_moved_in_the_page_keeps_its_transcript(page: Any, gateway: GatewayServer, bots: Any) -> None:
    await open_host(page, gateway, host_page(GLOBEX, body='<div id="elsewhere" style="height:600px"></div>'))
    widget = page.locator("switchboard-chat")
    bot = await bots("globex", await conversation_of(page))
    await bot.reply("Welcome to Globex.")
    await expect(widget.locator('[part~="row-assistant"]')).to_have_count(1)
    await page.evaluate("() => document.getElementById('elsewhere').append(document.querySelector('switchboard-chat'))")
    await expect(page.locator("#elsewhere switchboard-chat")).to_have_attribute("data-status", "online")
    await bot.reply("Still here.")
    await expect(widget.locator('[part~="row-assistant"] [part~="content"]')).to_have_text(
        ["Welcome to Globex.", "Still here."]
    )


async def test_network_off_and_on_again(page: Any, context: Any, gateway: GatewayServer, bots: Any) -> None:
    await open_host(page, gateway, host_page(GLOBEX))
    widget = page.locator("switchboard-chat")
    bot = await bots("globex", await conversation_of(page))
    await context.set_offline(True)
    await expect(widget).to_have_attribute("data-status", "offline")
    await expect(widget.locator('[part~="subtitle"]')).to_have_text("You are offline")
    await bot.reply("Sent while you were offline.")
    await context.set_offline(False)
    await expect(widget).to_have_attribute("data-status", "online")
    await expect(widget.locator('[part~="row-assistant"] [part~="content"]')).to_have_text(
        ["Sent while you were offline."]
    )
