"""Bus events, one module per family. Importing this package registers every type."""

from shared.events import components, feedback, guards, handoff, insights, messages, presence
from shared.events.base import Event, new_id, utcnow
from shared.events.components import Component, ComponentUpdated
from shared.events.feedback import Feedback, WidgetAction
from shared.events.guards import MessageFlagged, SentimentScored
from shared.events.handoff import (
    AgentNote,
    HandoffAccepted,
    HandoffEnded,
    HandoffQueued,
    HandoffRequested,
    HandoffStateChanged,
)
from shared.events.insights import ConversationInsights
from shared.events.messages import (
    Author,
    MessageCancelled,
    MessageCompleted,
    MessageCreated,
    MessageDelta,
    Source,
    UserMessage,
)
from shared.events.presence import Notice, Typing, VisitorTyping
from shared.events.registry import event_types, parse_event, register_module_events

for _module in (messages, presence, feedback, handoff, guards, components, insights):
    register_module_events(vars(_module))

__all__ = (
    "AgentNote",
    "Author",
    "Component",
    "ComponentUpdated",
    "ConversationInsights",
    "Event",
    "Feedback",
    "HandoffAccepted",
    "HandoffEnded",
    "HandoffQueued",
    "HandoffRequested",
    "HandoffStateChanged",
    "MessageCancelled",
    "MessageCompleted",
    "MessageCreated",
    "MessageDelta",
    "MessageFlagged",
    "Notice",
    "SentimentScored",
    "Source",
    "Typing",
    "UserMessage",
    "VisitorTyping",
    "WidgetAction",
    "event_types",
    "new_id",
    "parse_event",
    "utcnow",
)
