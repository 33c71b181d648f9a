"""Hostile text from the model, the backend or the visitor stays text: no script ever runs, no
handler attribute or unsafe URL reaches the DOM (headless Chromium, real gateway)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from shared.events import MessageFlagged, Notice
from shared.events.components import Button, Card, Form, FormField, Image, Option
from shared.events.handoff import HandoffAccepted
from shared.events.messages import Author
from tests.widget.conftest import GatewayServer, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

PWN = "window.__pwned=(window.__pwned||[]).concat"
HOSTILE_MARKDOWN = "\n".join(
    [
        f"<script>{PWN}('script')</script>",
        f"<img src=x onerror=\"{PWN}('img')\">",
        f"<svg onload=\"{PWN}('svg')\"><circle r=5 /></svg>",
        f"[js link](javascript:{PWN}('link'))",
        f"[tab link](java\tscript:{PWN}('tab'))",
        f"[upper](JaVaScRiPt:{PWN}('upper'))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        f"[attr](https://ok.example/\" onmouseover=\"{PWN}('attr'))",
        f"![pixel](javascript:{PWN}('image'))",
        f"<a href=\"javascript:{PWN}('a')\">raw anchor</a>",
        f"**<iframe src=\"javascript:{PWN}('iframe')\"></iframe>**",
        "`<b onclick=alert(1)>code</b>`",
        f"<style>* {{ display: none }}</style><math><mi xlink:href=\"javascript:{PWN}('math')\">m</mi></math>",
        "Safe [link](https://ok.example/docs) stays a link.",
    ]
)
XSS = f"<img src=x onerror=\"{PWN}('field')\">"


def hostile_components() -> list[Any]:
    return [
        Card(
            id="evil-card",
            title=XSS,
            subtitle=f"<script>{PWN}('sub')</script>",
            text='"><svg onload=alert(1)>',
            image_url=f"javascript:{PWN}('cardimg')",
            buttons=[
                Button(label=XSS, url=f"javascript:{PWN}('button')"),
                Button(label="data", url="data:text/html,<script>alert(1)</script>"),
            ],
        ),
        Image(id="evil-image", url="javascript:alert(1)", alt=XSS, link=f"javascript:{PWN}('imglink')", caption=XSS),
        Form(
            id="evil-form",
            action="x",
            title=XSS,
            fields=[
                FormField(name='a" onfocus="alert(1)', label=XSS, placeholder='"><script>alert(1)</script>'),
                FormField(
                    name="s",
                    label="pick",
                    input="select",
                    options=[Option(label=XSS, value='"><img src=x onerror=alert(1)>')],
                ),
            ],
        ),
    ]


INSPECT = """(host) => {
  const root = host.shadowRoot;
  const all = [...root.querySelectorAll('*')];
  const bad = [];
  for (const el of all) {
    const tag = el.tagName.toLowerCase();
    const foreign = ['script', 'iframe', 'object', 'embed', 'math', 'style'].includes(tag);
    if (foreign && el.parentNode !== root) bad.push('element ' + tag);
    if (tag === 'svg' && !['launcher-icon', 'feedback-icon'].includes(el.getAttribute('part'))) bad.push('foreign svg');
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) bad.push(`${tag}[${a.name}]`);
      if (['href', 'src', 'xlink:href', 'action', 'formaction'].includes(a.name)) {
        const u = new URL(a.value, location.href);
        if (!['http:', 'https:', 'mailto:'].includes(u.protocol)) bad.push(`${tag}[${a.name}=${a.value}]`);
      }
    }
  }
  return {bad, links: [...root.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'))};
}"""


async def test_hostile_payloads_stay_inert(page: Any, gateway: GatewayServer, bots: Any) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    await open_host(page, gateway, host_page('<switchboard-chat widget-key="pk_demo_globex"></switchboard-chat>'))
    widget = page.locator("switchboard-chat")
    # Even a tenant template with handlers is scrubbed before use.
    await widget.evaluate(
        """(el) => el.setConfig({templates: {bubble:
        `<div part="bubble" onclick="${'window.__pwned=[1]'}"><img src=x onerror="window.__pwned=['tpl']">`
        + `<a href="javascript:window.__pwned=['tpla']">t</a><span data-sb-slot="content"></span></div>`}})"""
    )
    bot = await bots("globex", await conversation_of(page))

    # Streamed (rendered at every delta) and then completed, with hostile components.
    reply = await bot.start_reply(author=XSS)
    for i in range(0, len(HOSTILE_MARKDOWN), 40):
        await bot.delta(reply, HOSTILE_MARKDOWN[i : i + 40])
    await bot.complete(reply, author=XSS, components=hostile_components())
    await bot.emit(
        MessageFlagged, message_id=reply, start=0, end=10, sentence="x", score=1, reason=XSS, method="t", action="flag"
    )
    await bot.emit(Notice, code="x", text=f"<script>{PWN}('notice')</script>")
    await bot.emit(HandoffAccepted, agent=Author(name=XSS, avatar_url=f"javascript:{PWN}('avatar')"))
    # And the visitor's own typing.
    box = widget.locator('textarea[part~="input"]')
    await box.fill(XSS)
    await box.press("Enter")
    await bot.wait_for("message.user", text=XSS)

    row = widget.locator(f'[data-message-id="{reply}"]')
    await expect(row.locator('[part~="flag-note"]')).to_contain_text("<img src=x")
    await expect(widget.locator('[part~="agent-joined"]')).to_contain_text("<img src=x")
    await expect(widget.locator('[part~="row-visitor"] [part~="content"]')).to_have_text(XSS)
    content = row.locator('[part~="content"]')
    await expect(content).to_contain_text("<script>window.__pwned")
    await expect(content).to_contain_text("<svg onload=")
    await expect(widget.locator('[data-component-id="evil-card"] [part~="card-title"]')).to_have_text(XSS)

    found = await widget.evaluate(INSPECT)
    assert found["bad"] == []
    assert found["links"] == ["https://ok.example/%22", "https://ok.example/docs"], "only absolute http(s) links"
    # Hover and click everything that could carry a handler, then check nothing ran.
    for element in await widget.locator("a, img, mark, [part~='card-title']").all():
        if await element.is_visible():
            await element.hover()
    assert await page.evaluate("window.__pwned") is None
    assert dialogs == []
