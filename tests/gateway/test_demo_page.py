"""The gateway's own demo page in headless Chromium: send, stream, sources, notices, reload."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from faststream.nats import NatsBroker

from shared.bus import emit
from shared.events import MessageCompleted, MessageCreated, MessageDelta, Notice, Source
from tests.browser import chromium
from tests.gateway.conftest import GatewayClient

pytestmark = [pytest.mark.browser, pytest.mark.connected]


@pytest.fixture
async def page(gateway: GatewayClient) -> AsyncIterator[Any]:
    async with chromium() as browser:
        page = await browser.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(gateway.base_url + "/")
        yield page
    assert errors == []


async def test_demo_page_chats_streams_and_survives_a_reload(page: Any, broker: NatsBroker) -> None:
    await page.wait_for_selector("#status:text('online')")
    await page.fill("#text", "Do you ship to Norway?")
    await page.press("#text", "Enter")
    await page.wait_for_selector(".visitor:has-text('Do you ship to Norway?')")
    conversation = await page.evaluate("JSON.parse(localStorage.getItem('switchboard-demo:pk_demo_acme')).conversation")

    ids = {"tenant_id": "acme", "conversation_id": conversation}
    await emit(broker, MessageCreated(**ids, message_id="r1", role="assistant"))
    await emit(broker, MessageDelta(**ids, message_id="r1", offset=0, text="Yes, we "))
    await page.wait_for_selector(".assistant:has-text('Yes, we')")
    await emit(broker, MessageDelta(**ids, message_id="r1", offset=8, text="ship there."))
    await page.wait_for_selector(".assistant:has-text('Yes, we ship there.')")
    source = Source(id="s1", title="Shipping policy", snippet="We ship to the EU and Norway.")
    await emit(
        broker, MessageCompleted(**ids, message_id="r1", role="assistant", text="Yes, we ship there.", sources=[source])
    )
    await page.wait_for_selector(".sources:has-text('Shipping policy')")
    await emit(broker, Notice(**ids, code="test", text="An agent will join shortly"))
    await page.wait_for_selector(".system:has-text('An agent will join shortly')")

    # A reload continues the same conversation and replays it.
    await page.reload()
    await page.wait_for_selector(".assistant:has-text('Yes, we ship there.')")
    await page.wait_for_selector(".visitor:has-text('Do you ship to Norway?')")
    again = await page.evaluate("JSON.parse(localStorage.getItem('switchboard-demo:pk_demo_acme')).conversation")
    assert again == conversation
