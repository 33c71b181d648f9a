"""The backend-driven UI contract: components ride on message.completed and component.updated."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.events import ComponentUpdated, MessageCompleted, event_types, parse_event
from shared.events.components import Button, Card, Form, FormField, QuickReplies


def test_components_round_trip_through_the_bus_encoding() -> None:
    sent = MessageCompleted(
        tenant_id="acme",
        conversation_id="c1",
        message_id="m1",
        role="assistant",
        text="Pick one",
        components=[
            Card(title="Tent", buttons=[Button(label="Buy", action="buy", value={"sku": "T1"})]),
            QuickReplies(replies=[Button(label="Thanks")]),
            Form(action="book", fields=[FormField(name="day", label="Day", input="date")]),
        ],
    )
    received = parse_event(sent.model_dump_json())
    assert isinstance(received, MessageCompleted)
    assert [c.type for c in received.components] == ["card", "quick_replies", "form"]
    assert received.components[0].buttons[0].value == {"sku": "T1"}
    assert received.components[0].id == sent.components[0].id


def test_completed_without_components_is_still_version_one() -> None:
    old = {
        "type": "message.completed",
        "tenant_id": "a",
        "conversation_id": "c",
        "message_id": "m",
        "role": "assistant",
        "text": "x",
    }
    event = parse_event(old)
    assert event.v == 1
    assert event.components == []


def test_unknown_component_type_is_refused() -> None:
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        MessageCompleted(
            tenant_id="a", conversation_id="c", message_id="m", role="assistant", text="x",
            components=[{"type": "marquee", "text": "hi"}],
        )  # fmt: skip


def test_component_updated_is_a_durable_registered_event() -> None:
    assert event_types()["component.updated"] is ComponentUpdated
    update = ComponentUpdated(
        tenant_id="a", conversation_id="c", component_id="x", component=Card(id="x", title="Done")
    )
    assert update.durable
    assert update.subject == "sb.conv.a.c.component.updated"
    assert parse_event(update.model_dump_json()).component.title == "Done"
