"""Guard events: a streamed sentence was flagged, a visitor message was scored."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from shared.events.base import Event
from shared.subjects import Channel

GuardAction = Literal["flag", "withhold", "replace"]


def flag_id(message_id: str, start: int) -> str:
    """Deterministic id of the flag on one sentence: replicas and redeliveries publish it once."""
    return f"flag-{message_id}-{start}"


class MessageFlagged(Event):
    """A sentence of a reply is not supported by its sources (visitor-visible, durable).

    ``start``/``end`` are character offsets into the reply text as streamed (the same text
    MessageCompleted carries). ``action`` tells the widget what to do with that span: show a
    warning (``flag``), hide it (``withhold``) or show ``replacement`` instead (``replace``).
    """

    channel: ClassVar[Channel] = Channel.CONV
    type: Literal["message.flagged"] = "message.flagged"
    message_id: str = Field(description="The reply the sentence belongs to.")
    start: int = Field(description="Offset of the sentence's first character in the reply text.", ge=0)
    end: int = Field(description="Offset just past the sentence's last character.", ge=0)
    sentence: str = Field(description="The flagged sentence, text[start:end].")
    score: float = Field(description="How unsupported the sentence is, 0 (grounded) to 1 (unsupported).")
    reason: str = Field(description="Why, in words a visitor or agent can read.")
    method: str = Field(description="Which check produced the flag, e.g. 'grounding' or 'llm-judge'.")
    action: GuardAction = Field("flag", description="What the widget does with the span (tenant policy).")
    replacement: str | None = Field(None, description="Text to show instead of the sentence when action is 'replace'.")


class SentimentScored(Event):
    """A visitor message was scored (internal, for agents and the transcript)."""

    channel: ClassVar[Channel] = Channel.OPS
    type: Literal["sentiment.scored"] = "sentiment.scored"
    message_id: str = Field(description="The visitor message (UserMessage.message_id).")
    score: float = Field(description="This message's sentiment, -1 (angry) to 1 (happy).")
    mood: float = Field(description="Rolling mood of the conversation after this message, -1 to 1.")
    signals: list[str] = Field(
        default_factory=list,
        description="What was detected: ask_human, anger, profanity, repeated_failure, repeated_question.",
        examples=[["anger", "profanity"]],
    )
    handoff: bool = Field(False, description="Whether this message made the monitor ask for a human.")
