"""Ephemeral presence events: typing indicators and notices."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from shared.events.base import Event
from shared.subjects import Channel


class Typing(Event):
    """Someone is (or stopped) typing. Visitor typing travels on ``live`` for agents only."""

    channel: ClassVar[Channel] = Channel.PUSH
    type: Literal["typing"] = "typing"
    who: Literal["assistant", "agent"]
    name: str | None = None
    on: bool = True


class VisitorTyping(Event):
    channel: ClassVar[Channel] = Channel.LIVE
    type: Literal["visitor.typing"] = "visitor.typing"
    on: bool = True


class Notice(Event):
    """A durable notice for the visitor (e.g. 'An agent will be with you shortly')."""

    channel: ClassVar[Channel] = Channel.CONV
    type: Literal["notice"] = "notice"
    code: str = Field(description="Machine-readable code, e.g. 'no_agent_online'.")
    text: str
