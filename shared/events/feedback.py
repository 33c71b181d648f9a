"""Visitor feedback and widget actions (button, quick reply, form submit)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from shared.events.base import Event
from shared.subjects import Channel


class Feedback(Event):
    channel: ClassVar[Channel] = Channel.OPS
    type: Literal["feedback"] = "feedback"
    message_id: str
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=2000)


class WidgetAction(Event):
    """The visitor used a backend-driven component (button, quick reply, form)."""

    channel: ClassVar[Channel] = Channel.CONV
    type: Literal["widget.action"] = "widget.action"
    action_id: str = Field(description="Id chosen by the widget; resending is idempotent.")
    component_id: str | None = None
    name: str = Field(description="Action name defined by the component, e.g. 'track_order'.")
    value: Any = None
