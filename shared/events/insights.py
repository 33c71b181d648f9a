"""Post-reply analysis of a conversation, produced by the orchestrator's workers."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from shared.events.base import Event
from shared.subjects import Channel


class ConversationInsights(Event):
    """A conversation's title, short summary and topics, refreshed after each completed assistant reply."""

    channel: ClassVar[Channel] = Channel.OPS
    type: Literal["conversation.insights"] = "conversation.insights"
    message_id: str = Field(description="The completed reply this update follows.")
    title: str = Field(description="Short title of the conversation.", examples=["Express shipping cost"])
    summary: str = Field(description="A few sentences an agent can read before joining.")
    tags: list[str] = Field(default_factory=list, description="Topic keywords of the conversation, e.g. 'shipping'.")
    turns: int = Field(description="Visitor messages so far.")
    unanswered: bool = Field(False, description="The last reply found nothing in the knowledge base.")
