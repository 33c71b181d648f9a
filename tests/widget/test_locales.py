"""Language, direction and colour scheme: bundled strings for en, es, fr, de, pt, pl, ar and he chosen
from the element's lang, the page's or the browser's; a right-to-left layout for Arabic and Hebrew;
dark mode from prefers-color-scheme unless the tenant (or the page) fixes a scheme. Headless
Chromium against the real gateway."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from shared.events import MessageFlagged, Source
from shared.settings import REPO_ROOT
from tests.widget.conftest import GatewayServer, artifact, conversation_of, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

STYLES_JS = REPO_ROOT / "gateway" / "widget" / "src" / "styles.js"
CONTRAST = (Path(__file__).parent / "js" / "contrast.js").read_text()
LANGUAGES = {
    "es": "Enviar", "fr": "Envoyer", "de": "Senden", "pt": "Enviar", "pl": "Wyślij", "ar": "إرسال", "he": "שליחה",
}  # fmt: skip
ACME = '<switchboard-chat widget-key="pk_demo_acme"></switchboard-chat>'
# Words that are the same in English and the language (or proper to the format), not left untranslated.
SAME = {"dialog_label", "sources", "messages_label", "input_label", "assistant", "launcher_label", "new_message"}


def page_in(lang: str | None, *widgets: str) -> str:
    attr = f' lang="{lang}"' if lang else ""
    return (
        f'<!doctype html><html{attr}><head><meta charset="utf-8"><title>host</title></head>'
        f'<body>{"".join(widgets)}<script src="/widget.js"></script></body></html>'
    )


def luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.fixture
async def polish_browser(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context(locale="pl-PL", viewport={"width": 1200, "height": 800})
    context.set_default_timeout(15_000)
    yield await context.new_page()
    await context.close()


def test_the_stylesheet_says_start_and_end_never_left_and_right() -> None:
    css = STYLES_JS.read_text().split("const BASE_CSS = `", 1)[1].split("`;", 1)[0]
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right)\b|(?:top|bottom)-(?:left|right)-radius|(?<![-\w])(?:left|right)\s*:"
        r"|text-align:\s*(?:left|right)|float:\s*(?:left|right)",
        css,
    )
    assert physical == [], f"expected logical properties only (inline-start/end), got {physical}"


async def test_every_bundled_language_is_complete(page: Any, gateway: GatewayServer) -> None:
    await open_host(page, gateway, page_in("en"))
    report = await page.evaluate(
        """() => Switchboard.languages.map((lang) => {
          const en = Switchboard.strings('en'), s = Switchboard.strings(lang);
          const vars = (t) => (t.match(/\\{\\w+\\}/g) || []).sort().join();
          return {lang, same: Object.keys(en).filter((k) => s[k] === en[k]),
                  vars: Object.keys(en).filter((k) => vars(s[k]) !== vars(en[k]))};
        })"""
    )
    assert {r["lang"] for r in report} >= set(LANGUAGES)
    for r in report:
        assert r["vars"] == [], f"{r['lang']}: placeholders differ from English in {r['vars']}"
        untranslated = set(r["same"]) - SAME
        assert untranslated == set(), f"{r['lang']}: still English: {sorted(untranslated)}"
    assert await page.evaluate("Switchboard.strings('pt-BR').send") == "Enviar"


async def test_language_comes_from_the_element_the_page_or_the_browser(
    page: Any, polish_browser: Any, gateway: GatewayServer
) -> None:
    tags = [f'<switchboard-chat widget-key="pk_demo_acme" lang="{lang}"></switchboard-chat>' for lang in LANGUAGES]
    await open_host(page, gateway, page_in("de", *tags, ACME))
    widgets = page.locator("switchboard-chat")
    for i, (lang, send) in enumerate(LANGUAGES.items()):
        widget = widgets.nth(i)
        await expect(widget.locator('[part~="send"]')).to_have_text(send)
        # Acme's own strings are English: a visitor reading another bundled language gets it whole.
        await expect(widget.locator('[part~="title"]')).not_to_have_text("Acme Outdoor help")
        await expect(widget.locator('[part~="root"]')).to_have_attribute("lang", lang)
    german = widgets.nth(len(LANGUAGES))  # no lang of its own: the page's
    await expect(german.locator('[part~="send"]')).to_have_text("Senden")
    await expect(german.locator('[part~="launcher"]')).to_have_attribute("aria-label", "Chat öffnen")

    # No lang on the element or the page: the browser's language (pl-PL).
    await open_host(polish_browser, gateway, page_in(None, ACME))
    polish = polish_browser.locator("switchboard-chat")
    await expect(polish.locator('[part~="send"]')).to_have_text("Wyślij")
    await expect(polish.locator('[part~="launcher"]')).to_have_attribute("aria-label", "Otwórz czat")
    # The page switches language at run time: the widget follows its lang attribute.
    await polish.evaluate("(el) => el.setAttribute('lang', 'fr')")
    await expect(polish.locator('[part~="send"]')).to_have_text("Envoyer")


async def test_arabic_is_laid_out_right_to_left(page: Any, gateway: GatewayServer, bots: Any) -> None:
    await open_host(page, gateway, page_in("ar", ACME))
    widget = page.locator("switchboard-chat")
    launcher = widget.locator('[part~="launcher"]')
    await expect(widget.locator('[part~="root"]')).to_have_attribute("dir", "rtl")
    # Acme sits bottom-right in English: mirrored, bottom-left.
    assert (await launcher.bounding_box())["x"] < 200
    await launcher.click()
    bot = await bots("acme", await conversation_of(page))
    box = widget.locator('textarea[part~="input"]')
    await box.fill("هل يمكنني إرجاع الحذاء؟")
    await box.press("Enter")
    user = await bot.wait_for("message.user")
    await bot.reply("نعم، خلال 30 يومًا.\n\n- الإرجاع مجاني\n- احتفظ بالإيصال", reply_to=user["message_id"])
    await expect(widget.locator('[part~="row-assistant"] li')).to_have_count(2)
    panel = await widget.locator('[part~="panel"]').bounding_box()
    visitor = await widget.locator('[part~="bubble-visitor"]').bounding_box()
    assistant = await widget.locator('[part~="bubble-assistant"]').bounding_box()
    # The visitor's bubble on the left, the assistant's on the right, the list indented from the right.
    assert visitor["x"] - panel["x"] < 40 < panel["x"] + panel["width"] - (assistant["x"] + assistant["width"]) + 40
    assert visitor["x"] < assistant["x"]
    close = await widget.locator('[part~="close-button"]').bounding_box()
    title = await widget.locator('[part~="title"]').bounding_box()
    assert close["x"] < title["x"], "the close button belongs at the inline end: the left"
    item = widget.locator('[part~="row-assistant"] ol, [part~="row-assistant"] ul')
    assert await item.evaluate("(el) => getComputedStyle(el).paddingRight") != "0px"
    await expect(widget.locator('[part~="send"]')).to_have_text("إرسال")
    await widget.locator('[part~="panel"]').screenshot(path=artifact("rtl-acme-ar.png"))


async def test_dark_mode_follows_the_visitor_unless_the_scheme_is_fixed(
    page: Any, gateway: GatewayServer, bots: Any
) -> None:
    await page.emulate_media(color_scheme="dark")
    globex = '<div style="height:700px"><switchboard-chat widget-key="pk_demo_globex"></switchboard-chat></div>'
    await open_host(page, gateway, page_in("en", globex))
    widget = page.locator("switchboard-chat")
    panel = widget.locator('[part~="panel"]')
    bot = await bots("globex", await conversation_of(page))
    box = widget.locator('textarea[part~="input"]')
    await box.fill("What is my balance?")
    await box.press("Enter")
    user = await bot.wait_for("message.user")
    text = "Your balance is **$12**. See [statements](https://globex.example/s). Interest is 90%."
    reply = await bot.reply(
        text,
        reply_to=user["message_id"],
        sources=[Source(id="kb", title="Statements", url="https://globex.example/s", snippet="...")],
    )
    start = text.index("Interest")
    await bot.emit(
        MessageFlagged, message_id=reply, start=start, end=len(text), sentence=text[start:], score=0.9,
        reason="not in the sources", method="grounding",
    )  # fmt: skip
    await expect(widget.locator('[part~="flag-note"]')).to_be_visible()

    background = "(el) => getComputedStyle(el).backgroundColor"
    assert luminance(await panel.evaluate(background)) < 0.1, "Globex's light theme turns dark in dark mode"
    await expect(widget).to_have_attribute("data-color-scheme", "auto")
    await panel.screenshot(path=artifact("dark-globex.png"))
    low = [c for c in await widget.evaluate(CONTRAST) if c["ratio"] < 4.5]
    assert low == [], f"dark mode: text below 4.5:1 contrast: {low}"
    # Brand colours stay: the visitor's bubble keeps Globex blue.
    await expect(widget.locator('[part~="bubble-visitor"]')).to_have_css("background-color", "rgb(11, 61, 145)")

    # The tenant fixes light: light even for a visitor in dark mode.
    await widget.evaluate("(el) => el.setConfig({color_scheme: 'light'})")
    await expect(panel).to_have_css("background-color", "rgb(244, 246, 251)")
    # The page fixes dark (attribute over tenant) for a visitor in light mode.
    await page.emulate_media(color_scheme="light")
    await widget.evaluate("(el) => el.setAttribute('color-scheme', 'dark')")
    assert luminance(await panel.evaluate(background)) < 0.1
    low = [c for c in await widget.evaluate(CONTRAST) if c["ratio"] < 4.5]
    assert low == [], f"fixed dark: text below 4.5:1 contrast: {low}"
