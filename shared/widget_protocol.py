"""The widget WebSocket protocol: frames in both directions, error codes and close codes.

The widget, the gateway and docs/protocol.md follow this module. Every frame is one JSON
object with a ``type``. Besides the frames below, the server sends every visitor-visible
bus event of the conversation as the event's own JSON (its ``type`` is the event type),
with ``seq`` set for durable events.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from shared.events.messages import UserMessage

PROTOCOL_VERSION = 1
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
# The longest message the bus accepts; longer text gets `too_long` instead of a schema error.
MAX_TEXT_CHARS: int = next(m.max_length for m in UserMessage.model_fields["text"].metadata if hasattr(m, "max_length"))

# Arrays/objects nested deeper than this in a frame are refused (`invalid_frame`): nothing a
# widget sends needs more, and deeper values cannot be serialised again on the way to the bus.
MAX_DEPTH = 32


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored (the database holds no NUL, UTF-8 no lone surrogate), or None."""
    if "\x00" in text:
        return "a NUL character (\\u0000)"
    try:
        text.encode()
    except UnicodeEncodeError:
        return "a lone surrogate (an unpaired \\ud800-\\udfff escape)"
    return None


def _storable(text: str) -> str:
    if (problem := unstorable(text)) is not None:
        raise ValueError(f"Expected text the database can store, got one with {problem}")
    return text


StorableText = Annotated[str, AfterValidator(_storable)]

ClientId = Annotated[str, Field(pattern=ID_PATTERN, description="Id chosen by the widget, 1-64 of [A-Za-z0-9_.:-].")]


class ErrorCode(StrEnum):
    BAD_JSON = "bad_json"
    UNKNOWN_TYPE = "unknown_type"
    INVALID_FRAME = "invalid_frame"
    TOO_LONG = "too_long"
    INVALID_TEXT = "invalid_text"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"


class CloseCode(IntEnum):
    NORMAL = 1000
    GOING_AWAY = 1001
    POLICY_VIOLATION = 1008
    TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    TRY_AGAIN_LATER = 1013
    UNAUTHORIZED = 4401
    FORBIDDEN = 4403


class _Frame(BaseModel):
    # Unknown fields are ignored so a newer widget can talk to an older gateway.
    model_config = ConfigDict(extra="ignore")


# Visitor -> server


class MessageSend(_Frame):
    type: Literal["message.send"] = "message.send"
    client_id: ClientId
    text: StorableText = Field(min_length=1, description=f"Message text, at most {MAX_TEXT_CHARS} characters.")


class WidgetActionSend(_Frame):
    type: Literal["widget.action"] = "widget.action"
    action_id: ClientId
    name: StorableText = Field(min_length=1, max_length=200, description="Action name defined by the component.")
    value: Any = Field(None, description="Button value or form fields.")
    component_id: StorableText | None = Field(None, max_length=200)


class TypingSend(_Frame):
    type: Literal["typing"] = "typing"
    on: bool = Field(True, description="True while the visitor types, False when they stop.")


class HandoffAsk(_Frame):
    type: Literal["handoff.ask"] = "handoff.ask"
    reason: StorableText = Field("", max_length=500, description="Why the visitor wants a human, if they said.")


class FeedbackSend(_Frame):
    type: Literal["feedback"] = "feedback"
    message_id: ClientId
    rating: Literal["up", "down"]
    comment: StorableText | None = Field(None, max_length=2000)


class ResumeSend(_Frame):
    type: Literal["resume"] = "resume"
    after_seq: int = Field(ge=0, lt=2**63, description="Highest seq the widget has applied; 0 replays everything.")


class PingSend(_Frame):
    type: Literal["ping"] = "ping"


ClientFrame = Annotated[
    MessageSend | WidgetActionSend | TypingSend | HandoffAsk | FeedbackSend | ResumeSend | PingSend,
    Field(discriminator="type"),
]
CLIENT_FRAME_ADAPTER: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)
CLIENT_FRAME_TYPES = frozenset(
    m.model_fields["type"].default
    for m in (MessageSend, WidgetActionSend, TypingSend, HandoffAsk, FeedbackSend, ResumeSend, PingSend)
)


# Server -> visitor


class Hello(_Frame):
    type: Literal["hello"] = "hello"
    protocol: int = Field(PROTOCOL_VERSION, description="Version of this protocol.")
    tenant_id: str
    conversation_id: str
    visitor_id: str
    heartbeat_s: float = Field(description="The server sends a heartbeat at least this often.")
    max_frame_bytes: int = Field(description="Bigger frames close the socket with 1009.")
    max_text_chars: int = Field(MAX_TEXT_CHARS, description="Longer message text gets a `too_long` error.")


class Ack(_Frame):
    """A visitor frame was stored; the same ack answers a resend."""

    type: Literal["ack"] = "ack"
    client_id: str | None = Field(None, description="For message.send: the widget's id.")
    action_id: str | None = Field(None, description="For widget.action: the widget's id.")
    message_id: str | None = Field(None, description="For message.send: the server's message id.")
    seq: int | None = Field(None, description="Sequence of the stored event (the same for a resend).")


class Resumed(_Frame):
    """Replay after ``after_seq`` is complete; what follows is live."""

    type: Literal["resumed"] = "resumed"
    after_seq: int
    last_seq: int = Field(description="Highest seq sent so far (after_seq if nothing was missing).")
    replayed: int = Field(description="How many stored events were replayed.")


class Pong(_Frame):
    type: Literal["pong"] = "pong"


class Heartbeat(_Frame):
    type: Literal["heartbeat"] = "heartbeat"


class Config(_Frame):
    """The tenant's branding changed (admin API): restyle with it, as with the session's ``tenant``."""

    type: Literal["config"] = "config"
    tenant: dict[str, Any] = Field(
        description="The same object as POST /v1/session's `tenant`: id, name, assistant_name, widget."
    )


class Error(_Frame):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str = Field(description="What was expected and what arrived.")
    ref: str | None = Field(None, description="client_id / action_id of the frame this error is about.")
    retry_after: int | None = Field(
        None, description="rate_limited only: whole seconds to wait before sending again (as HTTP's Retry-After)."
    )


__all__ = (
    "CLIENT_FRAME_ADAPTER",
    "CLIENT_FRAME_TYPES",
    "MAX_DEPTH",
    "MAX_TEXT_CHARS",
    "PROTOCOL_VERSION",
    "Ack",
    "ClientFrame",
    "CloseCode",
    "Config",
    "Error",
    "ErrorCode",
    "FeedbackSend",
    "HandoffAsk",
    "Heartbeat",
    "Hello",
    "MessageSend",
    "PingSend",
    "Pong",
    "ResumeSend",
    "Resumed",
    "StorableText",
    "TypingSend",
    "WidgetActionSend",
    "unstorable",
)
