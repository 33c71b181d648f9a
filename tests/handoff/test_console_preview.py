"""The reply preview (Chromium): the agent's markdown as the visitor's widget renders it, and never as HTML."""

from __future__ import annotations

from typing import Any

import httpx
import nats
import pytest

from gateway.pages import WIDGET_JS
from shared.events import HandoffRequested, UserMessage
from tests.handoff.conftest import Service, Tenants
from tests.handoff.console_page import axe_violations, console, sign_in
from tests.handoff.test_flow import publish

__all__ = ["console"]  # the fixture, used by name
pytestmark = [pytest.mark.connected]

REPLY = (
    "**Good news**: your order shipped.\n\n"
    "- Track it at [our site](https://shop.example/track)\n"
    "- Or call us\n\n"
    'Not a tag: <img src=x onerror="window.__pwned=1"> <script>window.__pwned=1</script>'
)


async def test_the_console_serves_the_very_script_the_gateway_serves_to_visitors(api: httpx.AsyncClient) -> None:
    served = await api.get("/console/widget.js")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/javascript")
    assert served.content == WIDGET_JS.read_bytes()


@pytest.mark.browser
@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_the_preview_shows_markdown_as_the_visitor_will_and_hostile_html_as_text(
    console: Any, service: Service, tenants: Tenants, nats_client: nats.NATS, feed_for, conversation_id: str
) -> None:
    from playwright.async_api import expect

    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await sign_in(console, service, t)
    await publish(
        nats_client,
        UserMessage(tenant_id=t, conversation_id=c, message_id="u1", client_id="u1", visitor_id="v_1", text="Hi"),
    )
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="help"))
    await console.locator(f'[data-conversation-id="{c}"]').click()
    await console.get_by_test_id("claim").click()
    preview = console.get_by_test_id("reply-preview")
    await expect(preview).to_be_hidden()
    await console.get_by_test_id("reply").fill(REPLY)
    body = console.get_by_test_id("reply-preview-body")
    await expect(preview).to_be_visible()
    await expect(body.locator("strong")).to_have_text("Good news")
    await expect(body.locator("li")).to_have_count(2)
    link = body.locator("a")
    await expect(link).to_have_text("our site")
    await expect(link).to_have_attribute("href", "https://shop.example/track")
    # the markup stays words: no element was made of it, nothing ran
    await expect(body).to_contain_text('<img src=x onerror="window.__pwned=1">')
    await expect(body).to_contain_text("<script>window.__pwned=1</script>")
    assert await body.locator("img, script").count() == 0
    assert await console.evaluate("window.__pwned") is None
    # what the visitor gets is exactly what was previewed, from the same renderer
    same = await console.evaluate(
        "(t) => { const d = document.createElement('div'); d.append(Switchboard.renderMarkdown(t));"
        " return d.innerHTML; }",
        REPLY,
    )
    assert await body.inner_html() == same
    assert await axe_violations(console) == []

    # an internal note is never shown to a visitor: no preview for it
    await console.get_by_test_id("note-mode").check()
    await expect(preview).to_be_hidden()
    await console.get_by_test_id("note-mode").uncheck()
    await expect(preview).to_be_visible()
    await console.get_by_test_id("send").click()
    sent = await widget.wait(lambda e: e["type"] == "message.completed" and e["role"] == "agent")
    assert sent["text"] == REPLY
    await expect(preview).to_be_hidden()
