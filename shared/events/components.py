"""Backend-driven UI: components a reply carries, and how the backend updates them.

A reply (``MessageCompleted.components``) may carry cards, carousels, buttons, quick
replies, lists, images and forms. Every element that can be used carries an ``action``
name (and optional ``value``); using it makes the widget send a ``widget.action`` frame
with ``component_id`` set, which the gateway publishes as ``WidgetAction``. The backend
answers with a ``ComponentUpdated`` event (replace the component, disable it, show a
status line) and/or an ordinary reply. The widget renders every field as text: nothing in
a component is ever interpreted as HTML, and URLs other than http(s) are dropped.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from shared.events.base import Event, new_id
from shared.subjects import Channel


class Button(BaseModel):
    """A clickable element: sends ``action``/``value`` back, or opens ``url`` if there is no action."""

    label: str = Field(description="Text on the button.", max_length=200)
    action: str | None = Field(None, description="Action name sent back in widget.action, e.g. 'track_order'.")
    value: Any = Field(None, description="Value sent with the action (any JSON).")
    url: str | None = Field(None, description="http(s) link opened in a new tab instead of sending an action.")
    style: Literal["primary", "secondary", "link"] = "secondary"


class _Component(BaseModel):
    id: str = Field(default_factory=new_id, description="Component id; widget.action carries it as component_id.")


class Card(_Component):
    type: Literal["card"] = "card"
    title: str
    subtitle: str | None = None
    text: str | None = Field(None, description="Body text (plain, not markdown).")
    image_url: str | None = None
    image_alt: str = ""
    buttons: list[Button] = Field(default_factory=list)


class Carousel(_Component):
    type: Literal["carousel"] = "carousel"
    cards: list[Card] = Field(min_length=1)


class Buttons(_Component):
    type: Literal["buttons"] = "buttons"
    text: str | None = None
    buttons: list[Button] = Field(min_length=1)


class QuickReplies(_Component):
    """Suggested answers; without an action a reply is sent as the visitor's own message."""

    type: Literal["quick_replies"] = "quick_replies"
    replies: list[Button] = Field(min_length=1)


class ListItem(BaseModel):
    title: str
    subtitle: str | None = None
    image_url: str | None = None
    action: str | None = Field(None, description="Makes the item clickable.")
    value: Any = None


class ListComponent(_Component):
    type: Literal["list"] = "list"
    title: str | None = None
    items: list[ListItem] = Field(min_length=1)
    buttons: list[Button] = Field(default_factory=list)


class Image(_Component):
    type: Literal["image"] = "image"
    url: str
    alt: str = Field("", description="Alternative text; required for accessibility when the image informs.")
    caption: str | None = None
    link: str | None = Field(None, description="http(s) URL opened when the image is clicked.")


class Option(BaseModel):
    label: str
    value: str


class FormField(BaseModel):
    name: str = Field(description="Key of this field in the submitted value object.")
    label: str
    input: Literal["text", "email", "number", "tel", "textarea", "select", "date"] = "text"
    required: bool = False
    placeholder: str | None = None
    options: list[Option] = Field(default_factory=list, description="Choices for input='select'.")
    value: str | None = Field(None, description="Initial value.")
    min: str | None = Field(None, description="Minimum (number or ISO date).")
    max: str | None = Field(None, description="Maximum (number or ISO date).")


class Form(_Component):
    """On submit the widget sends widget.action {name: action, value: {field name: value}}."""

    type: Literal["form"] = "form"
    title: str | None = None
    fields: list[FormField] = Field(min_length=1)
    submit_label: str = "Submit"
    action: str = Field(description="Action name sent with the submitted values.")


Component = Annotated[
    Card | Carousel | Buttons | QuickReplies | ListComponent | Image | Form,
    Field(discriminator="type"),
]


class ComponentUpdated(Event):
    """The backend answers or updates a component it sent earlier (visitor-visible, durable).

    Any combination: ``component`` replaces it (same id), ``disabled`` locks or unlocks it,
    ``status`` shows a line of text under it (e.g. 'Order #123 is on its way'), ``errors``
    marks a form's fields whose values were refused.
    """

    channel: ClassVar[Channel] = Channel.CONV
    type: Literal["component.updated"] = "component.updated"
    component_id: str = Field(description="Id of the component being updated.")
    message_id: str | None = Field(None, description="The message that carries the component, if known.")
    component: Component | None = Field(None, description="Full replacement of the component.")
    disabled: bool | None = Field(None, description="Lock (true) or unlock (false) the component's inputs.")
    status: str | None = Field(None, description="Plain-text status shown with the component.", max_length=2000)
    action_id: str | None = Field(None, description="The widget.action this answers, if any.")
    errors: dict[str, str] | None = Field(
        None,
        description="A form's submission was refused: field name -> what is wrong, shown under each field; "
        "the form stays usable with the visitor's values. None or {} clears earlier errors.",
    )
