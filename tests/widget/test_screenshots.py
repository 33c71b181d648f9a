"""Screenshots of each demo brand in light, dark, phone and right-to-left, the same conversation in
each. `make screenshots` writes them to docs/screenshots/ (shown in docs/widget.md); in a normal
test run they go to test-artifacts/widget/screenshots/. Each must actually differ as it says:
dark darker than light, the phone panel the whole screen, RTL mirrored."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from shared.events import MessageFlagged, Source
from shared.events.components import Button, QuickReplies
from shared.settings import REPO_ROOT
from tests.widget.conftest import ARTIFACTS, GatewayServer, conversation_of, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

OUT = Path(os.environ.get("SCREENSHOTS_DIR") or ARTIFACTS / "screenshots")
if not OUT.is_absolute():
    OUT = REPO_ROOT / OUT
BRANDS = {"acme": "pk_demo_acme", "globex": "pk_demo_globex", "initech": "pk_demo_initech"}
LAYOUTS = {"acme": "floating", "globex": "embedded", "initech": "fullpage"}
MODES = {
    "light": {"lang": "en", "scheme": "light", "phone": False},
    "dark": {"lang": "en", "scheme": "dark", "phone": False},
    "mobile": {"lang": "en", "scheme": "light", "phone": True},
    "rtl": {"lang": "ar", "scheme": "light", "phone": False},
}
QUESTION = {"en": "Can I return my boots?", "ar": "هل يمكنني إرجاع حذائي؟"}
ANSWER = {
    "en": "Yes! **Free returns** within 30 days:\n\n1. Open your order\n2. Choose *Return*\n\nRefunds take 5 days.",
    "ar": "نعم! **الإرجاع مجاني** خلال 30 يومًا:\n\n1. افتح طلبك\n2. اختر *إرجاع*\n\nيستغرق الاسترداد 5 أيام.",
}
LAST = {"en": "Refunds take 5 days.", "ar": "يستغرق الاسترداد 5 أيام."}


def page_html(lang: str, key: str, phone: bool) -> str:
    viewport = '<meta name="viewport" content="width=device-width, initial-scale=1">' if phone else ""
    tag = f'<switchboard-chat widget-key="{key}"></switchboard-chat>'
    if key == "pk_demo_globex":  # embedded: it takes the box the page gives it
        tag = f'<div style="height:640px;max-width:520px;margin:20px">{tag}</div>'
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{viewport}<title>host</title></head>'
        f'<body style="margin:0;background:#e9eef3">{tag}<script src="/widget.js"></script></body></html>'
    )


def luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("brand", list(BRANDS))
async def test_brand_screenshot(browser: Any, gateway: GatewayServer, bots: Any, brand: str, mode: str) -> None:
    m = MODES[mode]
    lang = str(m["lang"])
    size = {"width": 390, "height": 720} if m["phone"] else {"width": 1000, "height": 720}
    context = await browser.new_context(
        viewport=size, is_mobile=bool(m["phone"]), has_touch=bool(m["phone"]), color_scheme=str(m["scheme"])
    )
    context.set_default_timeout(15_000)
    try:
        page = await context.new_page()
        await open_host(page, gateway, page_html(lang, BRANDS[brand], bool(m["phone"])), path=f"/__shot/{brand}/{mode}")
        widget = page.locator("switchboard-chat")
        await expect(widget).to_have_attribute("data-layout", LAYOUTS[brand])  # the tenant's config is in
        if LAYOUTS[brand] == "floating":
            await widget.locator('[part~="launcher"]').click()
        bot = await bots(brand, await conversation_of(page))
        box = widget.locator('textarea[part~="input"]')
        await box.fill(QUESTION[lang])
        await box.press("Enter")
        user = await bot.wait_for("message.user")
        text = ANSWER[lang]
        reply = await bot.reply(
            text,
            reply_to=user["message_id"],
            sources=[Source(id="kb", title="Returns", url="https://example.com/returns", snippet="...")],
            components=[QuickReplies(replies=[Button(label="Thanks"), Button(label="A person", action="handoff")])],
        )
        start = text.index(LAST[lang])
        await bot.emit(
            MessageFlagged, message_id=reply, start=start, end=start + len(LAST[lang]), sentence=LAST[lang],
            score=0.9, reason="not in the sources", method="grounding",
        )  # fmt: skip
        await expect(widget.locator('[part~="flag-note"]')).to_be_visible()
        panel = widget.locator('[part~="panel"]')
        OUT.mkdir(parents=True, exist_ok=True)
        target = page if m["phone"] or brand == "initech" else panel
        await target.screenshot(path=OUT / f"{brand}-{mode}.png", animations="disabled")

        background = luminance(await panel.evaluate("(el) => getComputedStyle(el).backgroundColor"))
        if mode == "dark":
            assert background < 0.1, f"{brand} in dark mode has a light panel"
        if mode == "light" and brand != "initech":  # initech's own theme is dark
            assert background > 0.8
        if m["phone"] and LAYOUTS[brand] != "embedded":  # embedded takes the page's box
            box_ = await panel.bounding_box()
            assert box_ is not None
            assert (box_["width"], box_["height"]) == (size["width"], size["height"])
        if mode == "rtl":
            await expect(widget.locator('[part~="root"]')).to_have_attribute("dir", "rtl")
            visitor = await widget.locator('[part~="row-visitor"] [part~="content"]').bounding_box()
            answer = await widget.locator(f'[data-message-id="{reply}"] [part~="content"]').bounding_box()
            frame = await panel.bounding_box()
            assert visitor is not None
            assert answer is not None
            assert frame is not None
            # The answer starts at the right; where the tenant has bubbles, the visitor's are on the left.
            assert answer["x"] + answer["width"] > frame["x"] + frame["width"] * 0.6
            if brand != "initech":  # a terminal: every line starts at the inline start
                assert visitor["x"] < answer["x"], "the visitor's bubble is on the left in RTL"
    finally:
        await context.close()
