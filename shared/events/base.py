"""The envelope every bus event shares."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.subjects import Channel, subject


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Base of every bus event.

    Subclasses set ``type`` (a Literal, also the subject's kind), ``channel`` (where it
    travels) and ``v`` (bumped on any change but adding an optional field).
    """

    model_config = ConfigDict(extra="ignore", frozen=False)

    channel: ClassVar[Channel]

    type: str
    v: int = Field(1, description="Schema version of this event type.")
    id: str = Field(default_factory=new_id, description="Unique event id; JetStream de-duplicates on it.")
    tenant_id: str = Field(description="Tenant the conversation belongs to.", examples=["acme"])
    conversation_id: str = Field(description="Conversation this event is about.")
    ts: datetime = Field(default_factory=utcnow, description="When the event was produced (UTC).")
    seq: int | None = Field(
        None,
        description="Per-conversation order: the event's sequence in its JetStream stream. "
        "Set on delivery for durable events; None for ephemeral ones.",
    )

    @property
    def subject(self) -> str:
        return subject(self.channel, self.tenant_id, self.conversation_id, self.type)

    @property
    def durable(self) -> bool:
        return self.channel in (Channel.CONV, Channel.OPS)
