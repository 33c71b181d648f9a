"""Every component kind as a ChatKit widget, checked against openai-chatkit's typed widget classes,
and every action it can send mapped back to our widget.action."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from chatkit.types import WidgetItem
from pydantic import TypeAdapter

from gateway.chatkit.widgets import FORM_KEY, OPEN_URL, SAY, action_value, to_widget
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

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # the typed classes are deprecated for building, not checking
    from chatkit.widgets import StrictWidgetRoot

STRICT = TypeAdapter[Any](StrictWidgetRoot)


def strict(component: Any, **kwargs: Any) -> dict[str, Any]:
    """The widget as ChatKit's strict (named) widget types read it, dumped back to data."""
    widget = to_widget(component, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        typed = STRICT.validate_python(widget.model_dump())
        WidgetItem(id="i", thread_id="t", created_at="2026-01-01T00:00:00Z", widget=typed)
    return typed.model_dump()


def walk(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node] + [n for v in node.values() for n in walk(v)]
    if isinstance(node, list):
        return [n for v in node for n in walk(v)]
    return []


def of_type(root: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [n for n in walk(root) if n.get("type") == kind]


def sent(node: dict[str, Any], key: str | None = None) -> tuple[str, str | None, Any]:
    action = node["onClickAction"] if "onClickAction" in node else node["onSubmitAction"]
    return (action["type"], *action_value(key, action["payload"]))


def test_card_keeps_title_text_image_and_buttons() -> None:
    card = Card(
        id="c1",
        title="Trail boots",
        subtitle="$129",
        text="Waterproof.",
        image_url="https://shop.example/boots.png",
        image_alt="Boots",
        buttons=[
            Button(label="Buy", action="buy", value={"sku": "B1"}, style="primary"),
            Button(label="Site", url="https://shop.example"),
        ],
    )
    root = strict(card, status="In stock")
    assert root["type"] == "Card"
    assert root["id"] == "c1"
    assert [n["value"] for n in of_type(root, "Title")] == ["Trail boots"]
    assert [n["value"] for n in of_type(root, "Caption")] == ["$129", "In stock"]
    assert of_type(root, "Image")[0]["src"] == "https://shop.example/boots.png"
    buy, site = of_type(root, "Button")
    assert sent(buy) == ("buy", "c1", {"sku": "B1"})
    assert site["onClickAction"]["type"] == OPEN_URL
    assert site["onClickAction"]["handler"] == "client"


def test_carousel_keeps_every_card_and_its_own_component_id() -> None:
    carousel = Carousel(
        id="car",
        cards=[
            Card(id="a", title="A", buttons=[Button(label="Pick A", action="pick", value="a")]),
            Card(id="b", title="B"),
        ],
    )
    root = strict(carousel)
    assert [n["value"] for n in of_type(root, "Title")] == ["A", "B"]
    assert sent(of_type(root, "Button")[0]) == ("pick", "a", "a")


def test_buttons() -> None:
    root = strict(
        Buttons(
            id="bs",
            text="Which one?",
            buttons=[Button(label="One", action="choose", value=1), Button(label="Two", action="choose", value=2)],
        )
    )
    assert of_type(root, "Text")[0]["value"] == "Which one?"
    assert [sent(b) for b in of_type(root, "Button")] == [("choose", "bs", 1), ("choose", "bs", 2)]


def test_quick_replies_without_an_action_are_said_by_the_visitor() -> None:
    root = strict(QuickReplies(id="q", replies=[Button(label="Yes please"), Button(label="Agent", action="handoff")]))
    yes, agent = of_type(root, "Button")
    assert yes["onClickAction"] == {
        "type": SAY,
        "payload": {"text": "Yes please"},
        "handler": "server",
        "loadingBehavior": "auto",
        "streaming": True,
    }
    assert sent(agent) == ("handoff", "q", None)


def test_list_is_a_list_view_with_clickable_items() -> None:
    listed = ListComponent(
        id="l",
        title="Your orders",
        items=[ListItem(title="#1", subtitle="shipped", action="open", value=1), ListItem(title="#2")],
        buttons=[Button(label="All", action="all")],
    )
    root = strict(listed)
    assert root["type"] == "ListView"
    assert root["status"]["text"] == "Your orders"
    first, second, buttons = root["children"]
    assert sent(first) == ("open", "l", 1)
    assert "onClickAction" not in second
    assert sent(of_type(buttons, "Button")[0]) == ("all", "l", None)


def test_image_keeps_alt_caption_and_link_and_drops_other_schemes() -> None:
    root = strict(
        Image(
            id="i", url="https://cdn.example/map.png", alt="Store map", caption="Level 2", link="https://maps.example"
        )
    )
    assert of_type(root, "Image")[0]["alt"] == "Store map"
    assert of_type(root, "Caption")[0]["value"] == "Level 2"
    assert of_type(root, "Button")[0]["onClickAction"]["payload"] == {"url": "https://maps.example"}
    unsafe = strict(Image(id="j", url="javascript:alert(1)", alt="x"))
    assert of_type(unsafe, "Image") == []


def test_form_fields_become_controls_and_submitted_values_come_back() -> None:
    form = Form(
        id="f",
        title="Return",
        action="start_return",
        fields=[
            FormField(name="order", label="Order", required=True),
            FormField(name="email", label="Email", input="email"),
            FormField(name="why", label="Why", input="select", options=[Option(label="Too small", value="small")]),
            FormField(name="when", label="When", input="date"),
            FormField(name="note", label="Note", input="textarea"),
        ],
    )
    root = strict(form)
    [node] = of_type(root, "Form")
    assert [n["type"] for n in of_type(root, "Label")] == ["Label"] * 5
    assert [n["name"] for n in walk(node) if n.get("type") in {"Input", "Select", "DatePicker", "Textarea"}] == [
        "order", "email", "why", "when", "note",
    ]  # fmt: skip
    assert of_type(root, "Button")[0]["submit"] is True
    payload = {**node["onSubmitAction"]["payload"], "order": "123", "why": "small"}  # ChatKit adds the fields
    assert action_value(FORM_KEY, payload) == ("f", {"order": "123", "why": "small"})


@pytest.mark.parametrize("disabled", [True, False])
def test_disabled_components_cannot_be_used(disabled: bool) -> None:
    root = strict(Buttons(id="d", buttons=[Button(label="Go", action="go")]), disabled=disabled)
    assert bool(of_type(root, "Button")[0].get("disabled")) is disabled
