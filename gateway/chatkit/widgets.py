"""Our components (shared.events.components) as ChatKit widgets, and ChatKit actions back as widget.action.

Each component becomes one widget root (Card or ListView) built as plain data and validated by
ChatKit's own ``DynamicWidgetRoot`` (what ``WidgetTemplate.build`` returns). Every action a
widget can send carries the component id in its payload, so the action maps back to our
``widget.action`` without any state on our side:

- a button or list item: ``{type: <action>, payload: {component_id, value}}``
- a form: ``{type: <action>, payload: {component_id}}``; ChatKit adds the fields by name
- a quick reply without an action: ``{type: "switchboard.say", payload: {text}}``, sent as the
  visitor's own message
- a link: ``{type: "switchboard.open_url", payload: {url}, handler: "client"}``, for the host page
"""

from __future__ import annotations

from typing import Any

from chatkit.widgets import DynamicWidgetRoot

from shared.events.components import (
    Button,
    Buttons,
    Card,
    Carousel,
    Component,
    Form,
    FormField,
    Image,
    ListComponent,
    QuickReplies,
)

SAY = "switchboard.say"
OPEN_URL = "switchboard.open_url"
ITEM_PREFIX = "cmp_"
FORM_KEY = "form"
Node = dict[str, Any]


def item_id(component_id: str) -> str:
    """The ChatKit thread item that shows a component (our protocol addresses components by id alone)."""
    return ITEM_PREFIX + component_id


def component_id_of(item: str) -> str | None:
    return item.removeprefix(ITEM_PREFIX) if item.startswith(ITEM_PREFIX) else None


def _safe_url(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _action(kind: str, payload: dict[str, Any], handler: str = "server") -> dict[str, Any]:
    return {"type": kind, "payload": payload, "handler": handler}


def _button(button: Button, component_id: str, disabled: bool, say: bool = False) -> Node:
    node: Node = {"type": "Button", "label": button.label, "disabled": disabled or None}
    node["style"] = "primary" if button.style == "primary" else "secondary"
    if button.style == "link":
        node["variant"] = "ghost"
    if button.action:
        node["onClickAction"] = _action(button.action, {"component_id": component_id, "value": button.value})
    elif (url := _safe_url(button.url)) is not None:
        node["onClickAction"] = _action(OPEN_URL, {"url": url}, handler="client")
        node["iconEnd"] = "external-link"
    elif say:
        node["onClickAction"] = _action(SAY, {"text": button.label})
    return node


def _row(buttons: list[Node]) -> list[Node]:
    return [{"type": "Row", "gap": 2, "wrap": "wrap", "children": buttons}] if buttons else []


def _card_body(card: Card, disabled: bool) -> list[Node]:
    body: list[Node] = []
    if (src := _safe_url(card.image_url)) is not None:
        body.append({"type": "Image", "src": src, "alt": card.image_alt, "radius": "md"})
    body.append({"type": "Title", "value": card.title, "size": "sm"})
    if card.subtitle:
        body.append({"type": "Caption", "value": card.subtitle})
    if card.text:
        body.append({"type": "Text", "value": card.text})
    return body + _row([_button(b, card.id, disabled) for b in card.buttons])


def _field(field: FormField, disabled: bool) -> list[Node]:
    label: Node = {"type": "Label", "value": field.label + (" *" if field.required else ""), "fieldName": field.name}
    common: Node = {"name": field.name, "disabled": disabled or None}
    if field.input == "select":
        options = [{"value": o.value, "label": o.label} for o in field.options]
        control: Node = {"type": "Select", **common, "options": options, "defaultValue": field.value}
        control["placeholder"] = field.placeholder
    elif field.input == "date":
        control = {"type": "DatePicker", **common, "placeholder": field.placeholder}
        control.update({"defaultValue": field.value, "min": field.min, "max": field.max})
    elif field.input == "textarea":
        control = {"type": "Textarea", **common, "required": field.required, "defaultValue": field.value}
        control["placeholder"] = field.placeholder
    else:
        kind = {"email": "email", "number": "number", "tel": "tel"}.get(field.input, "text")
        control = {"type": "Input", **common, "inputType": kind, "required": field.required}
        control.update({"defaultValue": field.value, "placeholder": field.placeholder})
    return [{"type": "Col", "gap": 1, "children": [label, {k: v for k, v in control.items() if v is not None}]}]


def _root(component: Component, disabled: bool) -> Node:
    match component:
        case Card():
            return {"type": "Card", "children": _card_body(component, disabled)}
        case Carousel():
            slides: list[Node] = []
            for n, card in enumerate(component.cards):
                if n:
                    slides.append({"type": "Divider"})
                slides.append({"type": "Col", "id": card.id, "gap": 2, "children": _card_body(card, disabled)})
            return {"type": "Card", "children": slides}
        case Buttons():
            text = [{"type": "Text", "value": component.text}] if component.text else []
            return {
                "type": "Card",
                "children": text + _row([_button(b, component.id, disabled) for b in component.buttons]),
            }
        case QuickReplies():
            return {
                "type": "Card",
                "children": _row([_button(b, component.id, disabled, say=True) for b in component.replies]),
            }
        case ListComponent():
            return _list(component, disabled)
        case Image():
            return _image(component, disabled)
        case Form():
            return _form(component, disabled)
    raise TypeError(f"Expected one of our components, got {type(component).__name__}")


def _list(component: ListComponent, disabled: bool) -> Node:
    rows: list[Node] = []
    for item in component.items:
        text: list[Node] = [{"type": "Text", "value": item.title, "weight": "medium"}]
        if item.subtitle:
            text.append({"type": "Caption", "value": item.subtitle})
        children: list[Node] = []
        if (src := _safe_url(item.image_url)) is not None:
            children.append({"type": "Image", "src": src, "size": 40, "radius": "sm"})
        row: Node = {"type": "ListViewItem", "gap": 3, "children": [*children, {"type": "Col", "children": text}]}
        if item.action and not disabled:
            row["onClickAction"] = _action(item.action, {"component_id": component.id, "value": item.value})
        rows.append(row)
    if component.buttons:
        rows.append(
            {"type": "ListViewItem", "children": _row([_button(b, component.id, disabled) for b in component.buttons])}
        )
    root: Node = {"type": "ListView", "children": rows}
    if component.title:
        root["status"] = {"text": component.title, "icon": "notebook"}
    return root


def _image(component: Image, disabled: bool) -> Node:
    children: list[Node] = []
    if (src := _safe_url(component.url)) is not None:
        children.append({"type": "Image", "src": src, "alt": component.alt, "radius": "md"})
    if component.caption:
        children.append({"type": "Caption", "value": component.caption})
    if (link := _safe_url(component.link)) is not None:
        children += _row([_button(Button(label="Open", url=link, style="link"), component.id, disabled)])
    return {"type": "Card", "children": children or [{"type": "Caption", "value": component.alt or "image"}]}


def _form(component: Form, disabled: bool) -> Node:
    children: list[Node] = []
    if component.title:
        children.append({"type": "Title", "value": component.title, "size": "sm"})
    for field in component.fields:
        children += _field(field, disabled)
    submit = {"type": "Button", "submit": True, "label": component.submit_label, "style": "primary"}
    children.append({**submit, "disabled": True} if disabled else submit)
    form: Node = {
        "type": "Form",
        "direction": "col",
        "gap": 3,
        "onSubmitAction": _action(component.action, {"component_id": component.id}),
        "children": children,
    }
    return {"type": "Card", "children": [form]}


def to_widget(component: Component, *, disabled: bool = False, status: str | None = None) -> DynamicWidgetRoot:
    """One of our components as a ChatKit widget root; ``status`` is the backend's line under it."""
    root = _root(component, disabled)
    root["id"] = component.id
    root["key"] = FORM_KEY if isinstance(component, Form) else component.type
    if status:
        if root["type"] == "ListView":
            root["children"].append({"type": "ListViewItem", "children": [{"type": "Caption", "value": status}]})
        else:
            root["children"].append({"type": "Caption", "value": status, "color": "secondary"})
    return DynamicWidgetRoot.model_validate(_drop_none(root))


def _drop_none(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_none(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_drop_none(v) for v in node]
    return node


def copy_text(component: Component) -> str:
    """What ChatKit copies for the widget: the component's words, plain."""
    match component:
        case Card():
            return "\n".join(p for p in (component.title, component.subtitle, component.text) if p)
        case Carousel():
            return "\n\n".join(copy_text(c) for c in component.cards)
        case Buttons():
            return component.text or " / ".join(b.label for b in component.buttons)
        case QuickReplies():
            return " / ".join(b.label for b in component.replies)
        case ListComponent():
            return "\n".join([component.title or "", *(i.title for i in component.items)]).strip()
        case Image():
            return component.caption or component.alt
        case Form():
            return component.title or component.submit_label
    return ""


def action_value(kind: str | None, payload: Any) -> tuple[str | None, Any]:
    """(component_id, value) of a ChatKit action payload; ``kind`` is the sender widget's key."""
    if not isinstance(payload, dict):
        return None, payload
    component_id = payload.get("component_id")
    component_id = component_id if isinstance(component_id, str) else None
    if kind == FORM_KEY:
        return component_id, {k: v for k, v in payload.items() if k != "component_id"}
    return component_id, payload.get("value")
