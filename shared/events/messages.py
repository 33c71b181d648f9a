"""Message events: what the visitor said and how a reply is created, streamed and finished."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from shared.events.base import Event
from shared.events.components import Component
from shared.subjects import Channel

Role = Literal["visitor", "assistant", "agent", "system"]


class Source(BaseModel):
    """A knowledge-base passage a reply was grounded on."""

    id: str = Field(description="Passage id, stable within the tenant's knowledge base.")
    title: str = Field(description="Document title.")
    url: str | None = Field(None, description="Where the visitor can read more.")
    snippet: str = Field(description="The passage text the answer may rely on.")
    score: float = Field(0.0, description="Retrieval score, higher is better.")


class Author(BaseModel):
    name: str = Field(description="Display name, e.g. the assistant's or the agent's.")
    avatar_url: str | None = None


class UserMessage(Event):
    """The visitor sent a message. Published by the gateway; answered by the orchestrator."""

    channel: ClassVar[Channel] = Channel.CONV
    type: Literal["message.user"] = "message.user"
    message_id: str = Field(description="Server id of the message (derived from client_id).")
    client_id: str = Field(description="Id the widget chose; resending the same one is idempotent.")
    visitor_id: str = Field(description="The visitor who sent it.")
    text: str = Field(description="Message text as typed.", max_length=8000)
    page: str | None = Field(
        None, max_length=500, description="Path of the page the visitor wrote from, as their widget reported it."
    )
    language: str | None = Field(
        None, max_length=35, description="The visitor's language (a BCP 47 tag) from their widget or browser."
    )
    visitor_name: str | None = Field(
        None, max_length=120, description="A verified visitor's name, as the host site gave it (never anonymous)."
    )
    visitor_email: str | None = Field(
        None, max_length=254, description="A verified visitor's email, as the host site gave it (never anonymous)."
    )


class MessageCreated(Event):
    """A reply started (assistant or agent). Deltas with this message_id follow."""

    channel: ClassVar[Channel] = Channel.CONV
    type: Literal["message.created"] = "message.created"
    message_id: str
    role: Role
    author: Author | None = None
    reply_to: str | None = Field(None, description="message_id of the visitor message this answers.")
    sources: list[Source] = Field(
        default_factory=list, description="Passages retrieved before generation; guards check deltas against them."
    )
    question: str | None = Field(
        None,
        description="The visitor's message this reply answers (assistant replies): the hallucination guard reads "
        "numbers and facts the visitor gave from it, never a claim about the business.",
    )
    generated: bool = Field(
        True,
        description="Written by the model, so guards check it against its sources. False for words the business "
        "wrote itself (a welcome, an action or push message): nothing to ground.",
    )


class MessageDelta(Event):
    """A piece of a streaming reply. Ephemeral: resume rebuilds the text from stream state."""

    channel: ClassVar[Channel] = Channel.PUSH
    type: Literal["message.delta"] = "message.delta"
    message_id: str
    offset: int = Field(description="Character offset of `text` in the full reply; apply as text[:offset] + delta.")
    text: str


class MessageCompleted(Event):
    """A reply is finished; carries the whole text and its sources."""

    channel: ClassVar[Channel] = Channel.CONV
    type: Literal["message.completed"] = "message.completed"
    message_id: str
    role: Role
    text: str
    author: Author | None = None
    reply_to: str | None = None
    sources: list[Source] = Field(
        default_factory=list, description="Passages retrieved for the reply (what guards check it against)."
    )
    citations: list[str] | None = Field(
        None,
        description="Ids of the `sources` the reply used, in the order it used them, each once: the numbered "
        "references shown under it (the text does not repeat them). None: not known (clients show `sources`).",
    )
    generated: bool = Field(
        True,
        description="Written by the model, so guards check it against its sources. False for words the business "
        "wrote itself (a welcome, an action or push message): nothing to ground.",
    )
    components: list[Component] = Field(
        default_factory=list,
        description="Backend-driven UI shown under the reply (cards, buttons, forms…); see shared.events.components.",
    )


class MessageCancelled(Event):
    """A streaming reply was stopped (e.g. an agent took over); keeps the text so far."""

    channel: ClassVar[Channel] = Channel.CONV
    type: Literal["message.cancelled"] = "message.cancelled"
    message_id: str
    reason: str
    text: str = ""
