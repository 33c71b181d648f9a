"""One reply carrying every component kind, and updates of them: for round-trip tests."""

from __future__ import annotations

from shared.events import ComponentUpdated, MessageCompleted
from shared.events.components import (
    Button,
    Buttons,
    Card,
    Carousel,
    Form,
    FormField,
    Image,
    ListComponent,
    ListItem,
    Option,
    QuickReplies,
)

CARD = Card(
    id="k-card",
    title="Trail Tent 2P",
    subtitle="$249.00",
    text="Two-person tent",
    image_url="/static/demo/products/tent.svg",
    image_alt="A tent",
    buttons=[
        Button(label="Add", action="add", value={"sku": "T2", "qty": 1}, style="primary"),
        Button(label="Site", url="https://acme.example/t2"),
    ],
)
ALL_KINDS = [
    CARD,
    Carousel(id="k-carousel", cards=[CARD, Card(title="Basecamp 4P")]),
    Buttons(id="k-buttons", text="Pick", buttons=[Button(label="Yes", action="yes"), Button(label="No", action="no")]),
    QuickReplies(id="k-quick", replies=[Button(label="Thanks"), Button(label="Human", action="handoff")]),
    ListComponent(
        id="k-list",
        title="Orders",
        items=[ListItem(title="A1001", subtitle="Shipped", action="open", value="A1001")],
        buttons=[Button(label="All", action="all")],
    ),
    Image(
        id="k-image", url="https://acme.example/map.png", alt="Store map", caption="Leeds", link="https://acme.example"
    ),
    Form(
        id="k-form",
        title="Book",
        action="book",
        submit_label="Book it",
        fields=[
            FormField(name="day", label="Day", input="date", required=True, min="2026-01-01", max="2026-12-31"),
            FormField(name="time", label="Time", input="select", options=[Option(label="9:00", value="09:00")]),
            FormField(name="note", label="Note", input="textarea", placeholder="Anything else?"),
        ],
    ),
]


def every_kind(tenant: str, conversation: str) -> list[MessageCompleted | ComponentUpdated]:
    """A reply with every kind, then a refused form, a status line and a replacement."""
    return [
        MessageCompleted(
            tenant_id=tenant, conversation_id=conversation, message_id="kinds", role="assistant", text="All of them",
            components=ALL_KINDS, generated=False,
        ),
        ComponentUpdated(tenant_id=tenant, conversation_id=conversation, component_id="k-form",
                         errors={"day": "Weekdays only"}, action_id="a1"),
        ComponentUpdated(tenant_id=tenant, conversation_id=conversation, component_id="k-card", disabled=True,
                         status="Added", component=Card(title="Trail Tent 2P (in cart)")),
    ]  # fmt: skip
