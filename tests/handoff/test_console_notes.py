"""Internal notes in the console (Chromium): any agent writes one, it shows as a note, and stays only with agents."""

from __future__ import annotations

from typing import Any

import nats
import pytest

from shared.events import HandoffRequested, Notice, UserMessage
from tests.handoff.conftest import Service, Tenants
from tests.handoff.console_page import axe_violations, console, sign_in
from tests.handoff.test_flow import publish

__all__ = ["console"]  # the fixture, used by name
pytestmark = [pytest.mark.browser, pytest.mark.connected]


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_an_agent_notes_a_queued_conversation_and_the_note_stays_with_agents(
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
    reply = console.get_by_test_id("reply")
    await expect(reply).to_be_disabled()  # not hers: she may not reply…
    await console.get_by_test_id("note-mode").check()
    await expect(reply).to_be_enabled()  # …but she may note
    await reply.fill("Customer since 2019, very patient")
    await reply.press("Enter")
    note = console.locator('[data-role="note"]')
    await expect(note.get_by_test_id("message-text")).to_have_text("Customer since 2019, very patient")
    await expect(note).to_contain_text(f"Internal note · Alice of {t[:4]}")
    assert await axe_violations(console) == []

    # it is stored: after a reload it is still there, after the visitor's message
    await console.reload()
    await console.locator(f'[data-conversation-id="{c}"]').click()
    texts = console.get_by_test_id("message-text")
    await expect(texts).to_have_text(["Hi", "Customer since 2019, very patient"])
    await expect(console.locator('[data-role="note"]')).to_have_count(1)

    # the widget's feed got a marker sent after the note, and never the note
    await publish(nats_client, Notice(tenant_id=t, conversation_id=c, code="marker", text="after"))
    await widget.wait(lambda e: e.get("code") == "marker")
    assert [e for e in widget.events if "Customer since" in str(e)] == []
