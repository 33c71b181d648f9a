"""Citations in the widget: numbered, clickable references under an answer, only the sources it used
(message.completed `citations`), each once, in the order the answer used them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from shared.events import MessageCreated, Source, new_id
from shared.events.messages import Author
from tests.widget.conftest import GatewayServer, artifact, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

ACME = '<switchboard-chat widget-key="pk_demo_acme" open></switchboard-chat>'
RETURNS = Source(id="returns#window", title="Returns policy", url="https://acme.example/returns", snippet="...")
RETURNS_2 = Source(id="returns#refunds", title="Returns policy", url="https://acme.example/returns", snippet="...")
SHIPPING = Source(id="shipping#costs", title="Shipping costs", url="https://acme.example/shipping", snippet="...")
STORES = Source(id="stores#hours", title="Store hours", url="https://acme.example/stores", snippet="...")
NO_URL = Source(id="faq#1", title="FAQ: <b>sizes</b>", snippet="...")
HOSTILE = Source(id="x#1", title="Click me", url="javascript:alert(1)", snippet="...")


async def test_only_the_cited_sources_are_numbered_in_the_order_the_answer_used_them(
    page: Any, gateway: GatewayServer, bots: Any
) -> None:
    await open_host(page, gateway, host_page(ACME))
    widget = page.locator("switchboard-chat")
    bot = await bots("acme", await conversation_of(page))
    sources = [RETURNS, RETURNS_2, SHIPPING, STORES, NO_URL, HOSTILE]

    # While it streams there is no reference yet: what the answer uses is known when it is whole.
    streaming = new_id()
    bot.streaming[streaming] = ""
    await bot.emit(MessageCreated, message_id=streaming, role="assistant", author=Author(name="Ada"), sources=sources)
    await bot.delta(streaming, "Returns take 60 days")
    row = widget.locator(f'[data-message-id="{streaming}"]')
    await expect(row.locator('[part~="content"]')).to_have_text("Returns take 60 days")
    await expect(row.locator('[part~="sources"]')).to_have_count(0)

    cited = ["shipping#costs", "returns#window", "returns#refunds", "faq#1", "x#1", "not-retrieved"]
    await bot.complete(streaming, sources=sources, citations=cited)
    refs = row.locator('[part~="citation"]')
    # Same document twice is one reference; the uncited store hours and the unknown id are not there.
    await expect(refs).to_have_count(4)
    await expect(row.locator('[part~="citation-number"]')).to_have_text(["1", "2", "3", "4"])
    await expect(row.locator('[part~="source"]')).to_have_text(
        ["Shipping costs", "Returns policy", "FAQ: <b>sizes</b>", "Click me"]
    )
    links = row.locator('a[part~="source"]')
    await expect(links).to_have_count(2)  # no URL, or not http(s): a title, not a link
    assert [await a.get_attribute("href") for a in await links.all()] == [
        "https://acme.example/shipping",
        "https://acme.example/returns",
    ]
    await expect(links.first).to_have_attribute("target", "_blank")
    await expect(row.locator('[part~="sources"] ol[part~="citations"]')).to_have_count(1)
    await expect(row.locator('[part~="sources-label"]')).to_have_text("Sources:")
    assert await row.locator('[part~="sources"] b').count() == 0
    await row.screenshot(path=artifact("citations.png"))

    # Clickable: the reference opens its page in a new tab (served here: no network in tests).
    await page.context.route(
        "https://acme.example/**", lambda route: route.fulfill(body="shipping", content_type="text/plain")
    )
    async with page.context.expect_page() as opened:
        await links.first.click()
    new_tab = await opened.value
    await new_tab.wait_for_load_state()
    assert new_tab.url == "https://acme.example/shipping"
    await new_tab.close()


async def test_an_answer_that_cites_nothing_shows_no_sources_and_an_older_event_shows_them_all(
    page: Any, gateway: GatewayServer, bots: Any
) -> None:
    await open_host(page, gateway, host_page(ACME))
    widget = page.locator("switchboard-chat")
    bot = await bots("acme", await conversation_of(page))
    none = widget.locator(f'[data-message-id="{await bot.reply("Hello!", sources=[RETURNS], citations=[])}"]')
    await expect(none).to_have_class("row assistant")
    await expect(none.locator('[part~="feedback-up"]')).to_be_visible()
    await expect(none.locator('[part~="sources"]')).to_have_count(0)
    # An event from before citations existed (no field): every source, each once.
    old = widget.locator(
        f'[data-message-id="{await bot.reply("Old answer.", sources=[RETURNS, RETURNS_2, SHIPPING])}"]'
    )
    await expect(old.locator('[part~="source"]')).to_have_text(["Returns policy", "Shipping costs"])
    await expect(old.locator('[part~="citation-number"]')).to_have_text(["1", "2"])
