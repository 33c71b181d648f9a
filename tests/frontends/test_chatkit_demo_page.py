"""The ChatKit-protocol demo page in headless Chromium: linked from the demo page, answers, live handoff, feedback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
from faststream.nats import NatsBroker

from orchestrator.turns import Orchestrator
from shared.bus import emit
from shared.events import Author, HandoffAccepted, MessageCompleted
from shared.subjects import OPS_STREAM, Channel, subject
from tests.browser import chromium
from tests.gateway.conftest import GatewayClient

pytestmark = [pytest.mark.browser, pytest.mark.connected]


@pytest.fixture
async def page(gateway: GatewayClient) -> AsyncIterator[Any]:
    async with chromium() as browser:
        page = await browser.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(gateway.base_url + "/")
        yield page
    assert errors == []


async def test_chatkit_demo_page_answers_and_shows_a_person_joining(
    page: Any, orchestrator: Orchestrator, broker: NatsBroker, nats_client: nats.NATS
) -> None:
    await page.click("#chatkit-demo")
    await page.wait_for_selector("#status:text('online')")
    await page.fill("#text", "What does express shipping cost?")
    await page.press("#text", "Enter")
    await page.wait_for_selector(".user_message:has-text('What does express shipping cost?')")
    await page.wait_for_selector(".assistant_message:has-text('$14.95')")
    token = await page.evaluate("JSON.parse(localStorage.getItem('switchboard-chatkit:pk_demo_acme')).token")
    assert token
    # The thread is the session's conversation; a person joins and writes without the page asking.
    conversation = await page.evaluate(
        "fetch('/v1/session', {method: 'POST', headers: {'Content-Type': 'application/json'},"
        " body: JSON.stringify({widget_key: 'pk_demo_acme', previous_token: "
        "JSON.parse(localStorage.getItem('switchboard-chatkit:pk_demo_acme')).token})})"
        ".then(r => r.json()).then(s => s.conversation_id)"
    )
    ids = {"tenant_id": "acme", "conversation_id": conversation}
    await emit(broker, HandoffAccepted(**ids, agent=Author(name="Sam")))
    await page.wait_for_selector(".widget:has-text('Sam joined the conversation')")
    await emit(broker, MessageCompleted(**ids, message_id="agent-demo", role="agent", text="Sam here, how can I help?"))
    await page.wait_for_selector(".assistant_message:has-text('Sam here, how can I help?')")
    # Rating the first answer sends our feedback event.
    await page.click(".assistant_message >> nth=0 >> button[title='rate negative']")
    await page.wait_for_selector(".assistant_message >> nth=0 >> button[title='rate negative'][disabled]")
    stored = await nats_client.jetstream().get_last_msg(
        OPS_STREAM, subject(Channel.OPS, "acme", conversation, "feedback")
    )
    assert json.loads(stored.data)["rating"] == "down"
