"""Transfer in the console (Chromium): Alice gives her conversation to Bob, who is online; the visitor is told."""

from __future__ import annotations

from typing import Any

import httpx
import nats
import pytest

from shared.events import HandoffRequested, UserMessage
from tests.handoff.conftest import Service, Tenants
from tests.handoff.console_page import console, sign_in
from tests.handoff.test_flow import publish

__all__ = ["console"]  # the fixture, used by name
pytestmark = [pytest.mark.browser, pytest.mark.connected]


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_alice_transfers_to_bob(
    console: Any,
    service: Service,
    api: httpx.AsyncClient,
    tenants: Tenants,
    nats_client: nats.NATS,
    feed_for,
    conversation_id: str,
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
    transfer = console.get_by_test_id("transfer")
    await expect(transfer).to_be_disabled()  # not hers yet
    await console.get_by_test_id("claim").click()
    await expect(console.get_by_test_id("conversation-state")).to_have_text(f"assigned to Alice of {t[:4]}")
    await expect(transfer).to_be_disabled()  # nobody else is online
    bob = await api.put("/v1/agents/me/presence", json={"status": "online"}, headers=tenants.auth("bob"))
    assert bob.status_code == 200
    await expect(transfer).to_be_enabled()
    await expect(console.get_by_test_id("transfer-to").locator("option")).to_have_text([f"Bob of {t[:4]} (online)"])
    await transfer.click()
    await expect(console.get_by_test_id("conversation-state")).to_have_text(f"assigned to Bob of {t[:4]}")
    await expect(console.get_by_test_id("reply")).to_be_disabled()
    await expect(transfer).to_be_disabled()
    joined = await widget.wait(lambda e: e["type"] == "handoff.accepted" and e["agent"]["name"].startswith("Bob"))
    assert joined["agent"]["name"] == f"Bob of {t[:4]}"
