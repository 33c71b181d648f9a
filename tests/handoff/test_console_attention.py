"""The console asks for attention (Chromium): a tab title counter, desktop notifications and a beep, toggleable."""

from __future__ import annotations

from typing import Any

import httpx
import nats
import pytest

from handoff.summaries import visitor_label
from shared.events import HandoffRequested, UserMessage
from tests.handoff.conftest import Service, Tenants
from tests.handoff.console_page import console, sign_in
from tests.handoff.test_flow import publish

__all__ = ["console"]  # the fixture, used by name
pytestmark = [pytest.mark.browser, pytest.mark.connected]

TITLE = "Switchboard — agent console"

# Records what the page shows as notifications and every tone it starts (the real APIs still run).
SPY = """
window.__notes = [];
window.__tones = 0;
const Real = window.Notification;
window.Notification = class extends Real {
  constructor(title, options) { super(title, options); window.__notes.push({ title, body: options && options.body }); }
};
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
"""


async def ask(nc: nats.NATS, t: str, c: str, visitor: str, text: str) -> None:
    await publish(
        nc,
        UserMessage(tenant_id=t, conversation_id=c, message_id=f"{c}-m", client_id="m", visitor_id=visitor, text=text),
    )
    await publish(nc, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor", reason="wants a human"))


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_new_handoffs_count_in_the_title_notify_and_beep_until_turned_off(
    console: Any, service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS
) -> None:
    from playwright.async_api import expect

    t = tenants.main
    first, second, third = "a" * 32, "b" * 32, "d" * 32
    await console.context.grant_permissions(["notifications"])
    await console.add_init_script(SPY)
    await sign_in(console, service, t)
    await expect(console).to_have_title(TITLE)
    toggle = console.get_by_test_id("notify")
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await toggle.click()  # the user gesture that allows the permission prompt and the sound
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    assert await console.evaluate("Notification.permission") == "granted"

    # queued: counted in the title, a notification naming the visitor, one beep
    await ask(nats_client, t, first, "v_first", "Is the store open on Sunday?")
    await expect(console).to_have_title(f"(1) {TITLE}")
    await console.wait_for_function("window.__notes.length === 1")
    note = (await console.evaluate("window.__notes"))[0]
    assert note["title"] == f"{visitor_label('v_first', first)} is waiting"
    assert await console.evaluate("window.__tones") == 1

    # given to Alice by someone else (here: her own claim through the API, not the console):
    # "is yours", and it counts as unread until she opens it
    claimed = await api.post(f"/v1/conversations/{first}/claim", headers=tenants.auth("alice"))
    assert claimed.status_code == 200
    await console.wait_for_function("window.__notes.length === 2")
    assert (await console.evaluate("window.__notes"))[1]["title"] == f"{visitor_label('v_first', first)} is yours"
    await expect(console).to_have_title(f"(1) {TITLE}")  # out of the queue, unread and hers
    await console.get_by_test_id("tab-assigned").click()
    await console.locator(f'[data-conversation-id="{first}"]').click()
    await expect(console).to_have_title(TITLE)  # read
    # the visitor writes again while another tab has the focus... here: while it is open, so read
    await publish(
        nats_client,
        UserMessage(
            tenant_id=t, conversation_id=first, message_id="m2", client_id="m2", visitor_id="v_first", text="?"
        ),
    )
    await expect(console.get_by_test_id("message-text").last).to_have_text("?")
    await expect(console).to_have_title(TITLE)

    # a second queued one while another is open: counted and notified as well
    await ask(nats_client, t, second, "v_second", "Refund please")
    await expect(console).to_have_title(f"(1) {TITLE}")
    await console.wait_for_function("window.__notes.length === 3")
    assert await console.evaluate("window.__tones") == 3

    # claiming it herself in the console: no "is yours" alert for her own click
    await console.get_by_test_id("tab-queued").click()
    await console.locator(f'[data-conversation-id="{second}"]').click()
    await console.get_by_test_id("claim").click()
    await expect(console.get_by_test_id("conversation-state")).to_have_text(f"assigned to Alice of {t[:4]}")
    await expect(console).to_have_title(TITLE)
    assert await console.evaluate("[window.__notes.length, window.__tones]") == [3, 3]

    # turned off: still counted, but silent
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await ask(nats_client, t, third, "v_third", "Hello?")
    await expect(console).to_have_title(f"(1) {TITLE}")
    assert await console.evaluate("[window.__notes.length, window.__tones]") == [3, 3]
    assert await console.evaluate("localStorage.getItem('sb_console_notify')") == "0"
