"""The demo page: three brands configured only through tenant settings, rendered in headless
Chromium; screenshots kept in test-artifacts/widget/; text contrast >= 4.5 in every theme."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from shared.events import MessageFlagged
from shared.events.components import Button, Card, QuickReplies
from tests.widget.conftest import GatewayServer, artifact, conversation_of

pytestmark = [pytest.mark.browser, pytest.mark.connected]

BRANDS = {"acme": "pk_demo_acme", "globex": "pk_demo_globex", "initech": "pk_demo_initech"}
REPLY = (
    "Sure! Here is **what I found**:\n\n- Free returns within 30 days\n- Use `RETURN-30` at checkout\n\n"
    "The moon is made of cheese."
)
JS = Path(__file__).parent / "js"

CONTRAST = (JS / "contrast.js").read_text()

SIGNATURE = (JS / "signature.js").read_text()


async def test_three_brands_render_unlike_and_readable(page: Any, gateway: GatewayServer, bots: Any) -> None:
    await page.goto(gateway.url + "/demo")
    widgets = {t: page.locator(f'switchboard-chat[widget-key="{k}"]') for t, k in BRANDS.items()}
    await widgets["acme"].locator('[part~="launcher"]').click()
    for tenant, key in BRANDS.items():
        conversation = await conversation_of(page, f'switchboard-chat[widget-key="{key}"]')
        bot = await bots(tenant, conversation)
        box = widgets[tenant].locator('textarea[part~="input"]')
        await box.fill("Can I return my boots?")
        await box.press("Enter")
        user = await bot.wait_for("message.user")
        reply = await bot.reply(
            REPLY,
            reply_to=user["message_id"],
            components=[
                Card(
                    title="Returns",
                    subtitle="30 days",
                    buttons=[Button(label="Start a return", action="ret", style="primary")],
                ),
                QuickReplies(replies=[Button(label="Thanks"), Button(label="Talk to a person", action="handoff")]),
            ],
        )
        start = REPLY.index("The moon")
        await bot.emit(
            MessageFlagged, message_id=reply, start=start, end=len(REPLY), sentence=REPLY[start:], score=0.9,
            reason="not in the sources", method="grounding",
        )  # fmt: skip
        await expect(widgets[tenant].locator('mark[part~="flag"]')).to_have_text("The moon is made of cheese.")
        await expect(widgets[tenant].locator('[part~="quick-reply"]')).to_have_count(2)

    await page.screenshot(path=artifact("demo-three-brands.png"))
    signatures = {}
    for tenant, widget in widgets.items():
        await widget.locator('[part~="panel"]').screenshot(path=artifact(f"theme-{tenant}.png"))
        low = [c for c in await widget.evaluate(CONTRAST) if c["ratio"] < 4.5]
        assert low == [], f"{tenant}: text below 4.5:1 contrast: {low}"
        signatures[tenant] = await widget.evaluate(SIGNATURE)
        # The host page's hostile CSS (Comic Sans, hotpink buttons) does not get in.
        assert "Comic Sans" not in signatures[tenant]["font"]
        assert signatures[tenant]["sendBg"] != "rgb(255, 105, 180)"

    # Unlike each other on every axis the tenants set: font, colours, layout, bubble shape.
    for axis in ("font", "header", "panel", "position", "radius"):
        values = {s[axis] for s in signatures.values()}
        if axis == "position":
            assert signatures["globex"]["position"] != signatures["acme"]["position"]
        else:
            assert len(values) == 3, f"expected three different {axis}s, got {signatures}"
    # The initech tenant's header and bubble templates are in use.
    await expect(widgets["initech"].locator('[part~="terminal-bar"]')).to_be_visible()
    await expect(widgets["initech"].locator('[part~="row-visitor"] [part~="prompt"]')).to_have_text("you")
