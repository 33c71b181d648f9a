"""The action handler contract: what a tenant's handler is sent for a widget action, and what it answers.

A visitor uses a component (button, quick reply, list item, form) -> the widget sends
``widget.action`` -> the orchestrator validates a form's values against the form's own fields
and calls the tenant's handler (a built-in one, or the business's HTTPS endpoint with a signed
``ActionRequest`` body) -> the handler answers an ``ActionResult``: a reply (text and/or
components), an update of the component used (replace, disable, status line), or field errors
(a form's values were refused; shown under the fields, the visitor fixes and submits again).

Tools the model may call use the same handler kinds and the same result (``ToolRequest``).
docs/components.md describes the contract with a worked example.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.events.components import (
    Buttons,
    Card,
    Carousel,
    Component,
    Form,
    FormField,
    ListComponent,
    QuickReplies,
)

# A widget action the backend answers itself, never sent to the tenant's handler: the visitor
# asks for a human (the same as the widget's handoff.ask frame).
HANDOFF_ACTION = "handoff"


class ActionRequest(BaseModel):
    """Body of the signed POST to a tenant's action endpoint (``X-Switchboard-Event: widget.action``)."""

    type: Literal["widget.action"] = "widget.action"
    tenant_id: str
    conversation_id: str
    action_id: str = Field(
        description="Id of this use of the component (the widget.action event's id, unique per conversation); "
        "the same on every retry and the request's webhook-id: de-duplicate on it."
    )
    name: str = Field(description="Action name from the component, e.g. 'track_order'.")
    value: Any = Field(None, description="The button's value, or for a form {field name: value}.")
    component_id: str | None = None
    component: Component | None = Field(None, description="The component that was used, as it was sent.")


class ToolRequest(BaseModel):
    """Body of the signed POST to a tenant's tool endpoint (``X-Switchboard-Event: tool.call``)."""

    type: Literal["tool.call"] = "tool.call"
    tenant_id: str
    conversation_id: str
    call_id: str = Field(description="The model's id of this call; the same on every retry.")
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ReplyPart(BaseModel):
    text: str = Field("", description="Plain text of the reply (may be empty when components say it all).")
    components: list[Component] = Field(default_factory=list)


class ComponentUpdate(BaseModel):
    """How the component that was used changes (any combination; all optional)."""

    component: Component | None = Field(None, description="Full replacement (its id is kept).")
    disabled: bool | None = None
    status: str | None = Field(None, max_length=2000)


class ActionResult(BaseModel):
    """What a handler answers (JSON, HTTP 200). Everything is optional; {} acknowledges silently."""

    reply: ReplyPart | None = Field(None, description="A message from the assistant in the conversation.")
    update: ComponentUpdate | None = Field(None, description="Change the component that was used.")
    errors: dict[str, str] = Field(
        default_factory=dict, description="Form field name -> what is wrong with its value (shown under the field)."
    )


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TEL_RE = re.compile(r"^\+?[0-9 ()./-]{3,30}$")


def _field_error(field: FormField, raw: Any) -> str | None:
    value = "" if raw is None else raw
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return "Expected text."
    text = str(value).strip()
    if not text:
        return "This field is required." if field.required else None
    if field.input == "select":
        allowed = [o.value for o in field.options]
        return None if text in allowed else f"Choose one of: {', '.join(o.label for o in field.options)}."
    if field.input == "email" and not EMAIL_RE.match(text):
        return "Expected an email address like name@example.com."
    if field.input == "tel" and not TEL_RE.match(text):
        return "Expected a phone number (digits, spaces, +, -)."
    if field.input == "number":
        try:
            number = float(text)
        except ValueError:
            return "Expected a number."
        if field.min is not None and number < float(field.min):
            return f"Expected at least {field.min}."
        if field.max is not None and number > float(field.max):
            return f"Expected at most {field.max}."
    if field.input == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return "Expected a date (YYYY-MM-DD)."
        if field.min is not None and day < date.fromisoformat(field.min):
            return f"Expected {field.min} or later."
        if field.max is not None and day > date.fromisoformat(field.max):
            return f"Expected {field.max} or earlier."
    if len(text) > 2000:
        return "Expected at most 2000 characters."
    return None


def validate_form(form: Form, value: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The form's submitted values checked against its own fields: (clean values, field errors).

    Only the form's fields are kept (anything else is dropped); every value comes back as a
    stripped string, the way the widget sends them.
    """
    if not isinstance(value, dict):
        return {}, {f.name: "Expected the form's values." for f in form.fields}
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in form.fields:
        raw = value.get(field.name)
        if (problem := _field_error(field, raw)) is not None:
            errors[field.name] = problem
        else:
            clean[field.name] = "" if raw is None else str(raw).strip()
    return clean, errors


def offered_actions(component: Component) -> set[str]:
    """Every action name ``component`` lets the visitor send (a forged name is not among them)."""
    match component:
        case Card():
            return {b.action for b in component.buttons if b.action}
        case Carousel():
            return {b.action for card in component.cards for b in card.buttons if b.action}
        case Buttons():
            return {b.action for b in component.buttons if b.action}
        case QuickReplies():
            return {r.action for r in component.replies if r.action}
        case ListComponent():
            return {i.action for i in component.items if i.action} | {b.action for b in component.buttons if b.action}
        case Form():
            return {component.action}
    return set()


def _quoted(text: object) -> str:
    return f"“{text}”"


def describe_component(component: Component) -> str:
    """One line an agent can read: what the visitor was shown (no markup)."""
    match component:
        case Card():
            head = " — ".join(str(x) for x in (component.title, component.subtitle) if x)
            buttons = ", ".join(_quoted(b.label) for b in component.buttons)
            return f"Card {_quoted(head)}" + (f" with {buttons}" if buttons else "")
        case Carousel():
            cards = "; ".join(" ".join(str(x) for x in (c.title, c.subtitle) if x) for c in component.cards)
            return f"Carousel of {len(component.cards)}: {cards}"
        case Buttons():
            return "Buttons " + ", ".join(_quoted(b.label) for b in component.buttons)
        case QuickReplies():
            return "Quick replies " + ", ".join(_quoted(r.label) for r in component.replies)
        case ListComponent():
            return f"List {_quoted(component.title or '')}: " + "; ".join(i.title for i in component.items)
        case Form():
            fields = ", ".join(f.label for f in component.fields)
            return f"Form {_quoted(component.title or component.action)}: {fields}"
    return f"Image {_quoted(component.alt or component.url)}"


def _label_of(component: Component | None, name: str, value: Any) -> str | None:
    """The label of the element that sends (name, value) in ``component``, and what it sits on."""
    match component:
        case Card():
            return next((f"{_quoted(b.label)} on {_quoted(component.title)}" for b in component.buttons
                         if b.action == name and b.value == value), None)  # fmt: skip
        case Carousel():
            for card in component.cards:
                if (found := _label_of(card, name, value)) is not None:
                    return found
        case Buttons():
            return next((_quoted(b.label) for b in component.buttons if b.action == name and b.value == value), None)
        case QuickReplies():
            return next((_quoted(r.label) for r in component.replies if r.action == name), None)
        case ListComponent():
            return next((_quoted(i.title) for i in component.items if i.action == name and i.value == value), None)
    return None


def describe_action(name: str, value: Any, component: Component | None) -> str:
    """What the visitor did, readably: "Clicked “Add to cart” on “Trail Tent 2P”", a form's values by label."""
    if isinstance(component, Form) and isinstance(value, dict):
        labels = {f.name: f.label for f in component.fields}
        values = " · ".join(f"{labels.get(k, k)}: {v}" for k, v in value.items())
        return f"Submitted {_quoted(component.title or component.action)} — {values}"
    label = _label_of(component, name, value)
    if label is not None:
        return f"Clicked {label}"
    shown = "" if value is None else f" ({value})"
    return f"Used {_quoted(name)}{shown}"
