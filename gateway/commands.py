"""What each visitor frame publishes on the bus; ids are derived so a resend is deduplicated."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from faststream.nats import NatsBroker

from shared.bus import emit
from shared.events import Feedback, HandoffRequested, UserMessage, VisitorTyping, WidgetAction
from shared.events.base import Event
from shared.widget_protocol import Ack, FeedbackSend, HandoffAsk, MessageSend, TypingSend, WidgetActionSend

# Fixed namespace: the same (conversation, client id) maps to the same ids on every gateway.
_NAMESPACE = uuid.UUID("5b0c7c2e-9d3a-4f53-8a8e-2f1f6c1d9a10")


@dataclass(frozen=True)
class Visitor:
    """Who is on the socket, from the verified token."""

    tenant_id: str
    conversation_id: str
    visitor_id: str
    # Where the visitor is, from their socket (not the token): shown to agents with their messages.
    page: str | None = None
    language: str | None = None
    # A verified visitor's name and email, from the token (the host site gave them with user_hash).
    name: str | None = None
    email: str | None = None


def derived_id(visitor: Visitor, *parts: str) -> str:
    return uuid.uuid5(_NAMESPACE, "\x00".join((visitor.tenant_id, visitor.conversation_id, *parts))).hex


def user_message(visitor: Visitor, frame: MessageSend) -> UserMessage:
    return UserMessage(
        id=derived_id(visitor, "message.user", frame.client_id),
        message_id=derived_id(visitor, "message", frame.client_id),
        tenant_id=visitor.tenant_id,
        conversation_id=visitor.conversation_id,
        client_id=frame.client_id,
        visitor_id=visitor.visitor_id,
        text=frame.text,
        page=visitor.page,
        language=visitor.language,
        visitor_name=visitor.name,
        visitor_email=visitor.email,
    )


def widget_action(visitor: Visitor, frame: WidgetActionSend) -> WidgetAction:
    return WidgetAction(
        id=derived_id(visitor, "widget.action", frame.action_id),
        tenant_id=visitor.tenant_id,
        conversation_id=visitor.conversation_id,
        action_id=frame.action_id,
        component_id=frame.component_id,
        name=frame.name,
        value=frame.value,
    )


def visitor_typing(visitor: Visitor, frame: TypingSend) -> VisitorTyping:
    return VisitorTyping(tenant_id=visitor.tenant_id, conversation_id=visitor.conversation_id, on=frame.on)


def handoff_request(visitor: Visitor, frame: HandoffAsk) -> HandoffRequested:
    return HandoffRequested(
        tenant_id=visitor.tenant_id, conversation_id=visitor.conversation_id, trigger="visitor", reason=frame.reason
    )


def feedback(visitor: Visitor, frame: FeedbackSend) -> Feedback:
    # Same rating resent is deduplicated; a changed rating or comment is a new event.
    return Feedback(
        id=derived_id(visitor, "feedback", frame.message_id, frame.rating, frame.comment or ""),
        tenant_id=visitor.tenant_id,
        conversation_id=visitor.conversation_id,
        message_id=frame.message_id,
        rating=frame.rating,
        comment=frame.comment,
    )


Command = MessageSend | WidgetActionSend | TypingSend | HandoffAsk | FeedbackSend


def to_event(visitor: Visitor, frame: Command) -> Event:
    match frame:
        case MessageSend():
            return user_message(visitor, frame)
        case WidgetActionSend():
            return widget_action(visitor, frame)
        case TypingSend():
            return visitor_typing(visitor, frame)
        case HandoffAsk():
            return handoff_request(visitor, frame)
        case FeedbackSend():
            return feedback(visitor, frame)
    raise TypeError(f"Expected a visitor command frame, got {type(frame).__name__}")


def ack_for(frame: Command, event: Event, seq: int | None) -> Ack | None:
    """The ack a frame earns once its event is stored (None for fire-and-forget frames)."""
    if isinstance(frame, MessageSend) and isinstance(event, UserMessage):
        return Ack(client_id=frame.client_id, message_id=event.message_id, seq=seq)
    if isinstance(frame, WidgetActionSend):
        return Ack(action_id=frame.action_id, seq=seq)
    return None


async def perform(broker: NatsBroker, visitor: Visitor, frame: Command, event: Event | None = None) -> Ack | None:
    """Publish the frame's event (``event`` if already made from it) and return the ack it earns."""
    event = event if event is not None else to_event(visitor, frame)
    seq = await emit(broker, event)
    return ack_for(frame, event, seq)
