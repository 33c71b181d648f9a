"""The widget's markdown in Chromium: links with parentheses, autolinks, GFM tables, ordered and nested
lists, code blocks with a copy button; hostile input stays text (DOM nodes only, never HTML).

Most tests run the renderer alone (`Switchboard.renderMarkdown`, the one the console previews with) on
a blank page with the served bundle; one runs a streamed reply through the real gateway.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from shared.settings import REPO_ROOT
from tests.widget.conftest import GatewayServer, artifact, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser]

BUNDLE = REPO_ROOT / "gateway" / "static" / "widget" / "switchboard-widget.js"
ACME = '<switchboard-chat widget-key="pk_demo_acme" open></switchboard-chat>'

# Renders into a <div id="out"> and describes what came out: the HTML (to compare shapes) and the links.
RENDER = """(t) => {
  const out = document.getElementById('out');
  out.replaceChildren(Switchboard.renderMarkdown(t));
  return {
    html: out.innerHTML,
    links: Array.from(out.querySelectorAll('a'), (a) => [a.textContent, a.getAttribute('href')]),
    text: out.textContent,
  };
}"""


@pytest.fixture
async def md(page: Any) -> Any:
    await page.set_content('<!doctype html><html lang="en"><body><div id="out"></div></body></html>')
    await page.add_script_tag(content=BUNDLE.read_text())

    async def render(text: str) -> dict[str, Any]:
        result: dict[str, Any] = await page.evaluate(RENDER, text)
        return result

    return render


async def test_links_keep_parentheses_in_their_url(md: Any) -> None:
    out = await md(
        "See [Pascal (unit)](https://en.wikipedia.org/wiki/Pascal_(unit)) and "
        '[docs](<https://example.com/a b>) or [t](https://example.com/x "a title").'
    )
    assert out["links"] == [
        ["Pascal (unit)", "https://en.wikipedia.org/wiki/Pascal_(unit)"],
        ["docs", "https://example.com/a%20b"],
        ["t", "https://example.com/x"],
    ]
    assert out["text"] == "See Pascal (unit) and docs or t."


async def test_bare_urls_become_links_without_the_punctuation_around_them(md: Any) -> None:
    out = await md(
        "Go to https://acme.example/returns. Or (https://en.wikipedia.org/wiki/Pascal_(unit)), "
        "www.acme.example/help, <https://acme.example/x?a=1&b=2> and https://acme.example/a_b_c!"
    )
    assert out["links"] == [
        ["https://acme.example/returns", "https://acme.example/returns"],
        ["https://en.wikipedia.org/wiki/Pascal_(unit)", "https://en.wikipedia.org/wiki/Pascal_(unit)"],
        ["www.acme.example/help", "https://www.acme.example/help"],
        ["https://acme.example/x?a=1&b=2", "https://acme.example/x?a=1&b=2"],
        ["https://acme.example/a_b_c", "https://acme.example/a_b_c"],
    ]
    assert out["text"].startswith("Go to https://acme.example/returns. Or (https://")
    # A link's text is not linked again inside it; a URL in code stays code.
    nested = await md("[https://a.example](https://b.example) and `https://c.example`")
    assert nested["links"] == [["https://a.example", "https://b.example/"]]
    assert '<code part="md-code" class="md-code">https://c.example</code>' in nested["html"]


async def test_pipe_tables_with_alignment_inline_markdown_and_escaped_pipes(md: Any, page: Any) -> None:
    out = await md(
        "Plans:\n"
        "| Plan | Price | Notes |\n"
        "|:-----|------:|:-----:|\n"
        "| **Basic** | 5 € | a \\| b |\n"
        "| Pro | 12 € | [more](https://acme.example/pro) |\n"
        "| Short |\n"
        "\n"
        "After."
    )
    table = await page.evaluate(
        """() => { const t = document.querySelector('#out table');
        const cell = (c) => [c.tagName, c.textContent, c.dataset.align || '', c.scope];
        return { head: Array.from(t.tHead.rows[0].cells, cell),
                 body: Array.from(t.tBodies[0].rows, (r) => Array.from(r.cells, (c) => c.textContent)),
                 strong: t.querySelector('tbody strong').textContent,
                 wrap: t.parentElement.getAttribute('part'), tabindex: t.parentElement.tabIndex }; }"""
    )
    assert table["head"] == [
        ["TH", "Plan", "start", "col"],
        ["TH", "Price", "end", "col"],
        ["TH", "Notes", "center", "col"],
    ]
    assert table["body"] == [["Basic", "5 €", "a | b"], ["Pro", "12 €", "more"], ["Short", "", ""]]
    assert table["strong"] == "Basic"
    assert (table["wrap"], table["tabindex"]) == ("md-table-wrap", 0)
    assert out["links"] == [["more", "https://acme.example/pro"]]
    assert out["html"].startswith('<p part="md-p" class="md-p">Plans:</p><div part="md-table-wrap"')
    assert out["html"].endswith('<p part="md-p" class="md-p">After.</p>')
    # Not a table: no delimiter row, or a delimiter row for another number of columns.
    assert "<table" not in (await md("a | b\nc | d"))["html"]
    assert "<table" not in (await md("| a | b |\n|---|\n| c | d |"))["html"]


async def test_ordered_lists_keep_their_start_and_nest(md: Any, page: Any) -> None:
    await md("3. Three\n4. Four\n   - detail *one*\n   - detail two\n\n5. Five\n\nText.\n\n1) a\n2) b")
    lists = await page.evaluate(
        """() => Array.from(document.querySelectorAll('#out > ol, #out > ul'), (l) => ({
            tag: l.tagName, start: l.getAttribute('start'),
            items: Array.from(l.children, (li) => li.firstChild.textContent),
            nested: Array.from(l.querySelectorAll('li > ul > li'), (li) => li.textContent) }))"""
    )
    assert lists == [
        {"tag": "OL", "start": "3", "items": ["Three", "Four", "Five"], "nested": ["detail one", "detail two"]},
        {"tag": "OL", "start": None, "items": ["a", "b"], "nested": []},
    ]
    # A start of 1 needs no attribute; an unordered list after an ordered one is a new list.
    out = await md("1. one\n- dot")
    assert out["html"].count("<ol") == 1
    assert out["html"].count("<ul") == 1


async def test_code_blocks_have_a_copy_button_that_selects_the_code_where_the_clipboard_is_refused(
    md: Any, page: Any
) -> None:
    # This blank page may not write the clipboard (test_a_streamed_reply... copies on a real origin):
    # the button then selects the code for Ctrl+C.
    code = 'curl -X POST "https://acme.example/api" \\\n  -d \'{"a": "<b>"}\''
    out = await md(f"Run:\n\n```bash\n{code}\n```\n\nDone.")
    assert out["text"] == f"Run:{code}CopyDone."
    button = page.locator('#out [part~="md-copy"]')
    await expect(button).to_have_text("Copy")
    await expect(page.locator('#out [part~="md-code-block"]')).to_have_attribute("data-lang", "bash")
    await expect(page.locator('#out [part~="md-code-wrap"] > pre[part~="md-pre"] > code')).to_have_count(1)
    await button.click()
    await expect(button).to_have_attribute("data-state", re.compile("copied|selected"))
    if await button.get_attribute("data-state") == "selected":
        assert await page.evaluate("getSelection().toString()") == code
    else:
        assert await page.evaluate("navigator.clipboard.readText()") == code
    await expect(button).not_to_have_attribute("data-state", re.compile("."), timeout=5000)


async def test_hostile_markdown_stays_text_and_unsafe_links_are_refused(md: Any, page: Any) -> None:
    hostile = (
        '<img src=x onerror="window.__pwned=1"> [click](javascript:alert(1)) [x](JaVaScRiPt:alert(document.domain))\n'
        "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <javascript:alert(1)> javascript:alert(1)\n\n"
        "| a | b |\n|---|---|\n| <script>window.__pwned=1</script> | [y](vbscript:msgbox(1)) |\n\n"
        '```html\n<img src=x onerror="window.__pwned=1">\n```\n'
        '1. <svg onload="window.__pwned=1">'
    )
    out = await md(hostile)
    assert out["links"] == []
    blocked = await page.evaluate(
        "() => Array.from(document.querySelectorAll('#out [part~=\"md-link-blocked\"]'), (s) => s.textContent)"
    )
    assert blocked == ["click", "x", "d", "y"]
    elements = await page.evaluate(
        "() => Array.from(document.querySelectorAll('#out *'), (e) => e.tagName.toLowerCase())"
    )
    assert not {"img", "script", "svg", "a", "iframe"} & set(elements)
    assert '<img src=x onerror="window.__pwned=1">' in out["text"]
    assert await page.evaluate("window.__pwned") is None


@pytest.mark.connected
async def test_a_streamed_reply_shows_a_table_and_copyable_code_in_the_widget(
    page: Any, context: Any, gateway: GatewayServer, bots: Any
) -> None:
    await context.grant_permissions(["clipboard-read", "clipboard-write"])
    await open_host(page, gateway, host_page(ACME))
    widget = page.locator("switchboard-chat")
    bot = await bots("acme", await conversation_of(page))
    reply = await bot.reply(
        "| Size | Stock |\n|---|--:|\n| M | 3 |\n\n```\npip install acme\n```\n\n2. second\n3. third", chunk=9
    )
    row = widget.locator(f'[data-message-id="{reply}"]')
    await expect(row).to_have_class("row assistant")
    await expect(row.locator('[part~="md-td"]')).to_have_text(["M", "3"])
    await expect(row.locator('ol[part~="md-list"]')).to_have_attribute("start", "2")
    # Announced as what was said: the code, not the button's label.
    live = widget.locator('[part~="live"]')
    await expect(live).to_contain_text("pip install acme")
    await expect(live).not_to_contain_text("Copy")
    await row.screenshot(path=artifact("markdown-table-code-list.png"))
    copy = row.locator('[part~="md-copy"]')
    await copy.click()
    await expect(copy).to_have_text("Copied")
    assert await page.evaluate("navigator.clipboard.readText()") == "pip install acme"
    # The button is a 24x24 px target at least (WCAG 2.5.8), like every control of the widget.
    box = await copy.bounding_box()
    assert box is not None
    assert box["width"] >= 24
    assert box["height"] >= 24
