"""Widget actions over a real nats-server: their own durable, the conversation's lock and order, exactly once."""

from __future__ import annotations

import nats
import pytest
from faststream.nats import NatsBroker

from shared.bus import emit
from shared.events import MessageCompleted, WidgetAction
from shared.events.components import Card, Form
from shared.settings import Settings
from shared.subjects import CONV_STREAM, Channel, subject
from tests.orchestrator._helpers import watch
from tests.orchestrator.test_connected import bus, orchestrators, user

pytestmark = pytest.mark.connected
__all__ = ("bus",)


def action(conversation_id: str, n: int, name: str, value: object, component_id: str) -> WidgetAction:
    return WidgetAction(
        id=f"wa-{conversation_id}-{n}",
        tenant_id="acme",
        conversation_id=conversation_id,
        action_id=f"a{n}",
        name=name,
        value=value,
        component_id=component_id,
    )


async def test_order_form_flow_over_the_bus_in_order_and_once(
    connected_settings: Settings, nats_client: nats.NATS, bus: NatsBroker, conversation_id: str
) -> None:
    watcher = await watch(nats_client, conversation_id)
    async with orchestrators(connected_settings):
        await emit(bus, user(conversation_id, 1, "track my order"))
        [first] = await watcher.until("message.completed")
        assert isinstance(first, MessageCompleted)
        (form,) = first.components
        assert isinstance(form, Form)

        await emit(bus, action(conversation_id, 1, "track_order", {"order_number": "A1001", "email": "x"}, form.id))
        [refused] = await watcher.until("component.updated")
        assert set(refused.errors or {}) == {"email"}  # type: ignore[attr-defined]

        # Fixed, and a question right behind it: the question is answered after the action.
        good = action(
            conversation_id, 2, "track_order", {"order_number": "A1001", "email": "demo@example.com"}, form.id
        )
        await emit(bus, good)
        await emit(bus, user(conversation_id, 2, "Do boots run small?"))
        await emit(bus, good)  # a resend: JetStream keeps one copy
        completed = await watcher.until("message.completed", 3, timeout=20)
    status_reply, boots = completed[1], completed[2]
    assert isinstance(status_reply, MessageCompleted)
    assert isinstance(status_reply.components[0], Card)
    assert status_reply.components[0].subtitle == "Shipped"
    assert "half size" in boots.text  # type: ignore[attr-defined]
    updated = watcher.of("component.updated")
    assert [u.disabled for u in updated] == [None, True]  # type: ignore[attr-defined]
    assert updated[1].seq < status_reply.seq < boots.seq  # type: ignore[operator]
    js = nats_client.jetstream()
    updates = subject(Channel.CONV, "acme", conversation_id, "component.updated")
    info = await js.stream_info(CONV_STREAM, subjects_filter=updates)
    assert info.state.subjects == {updates: 2}  # each action answered once
