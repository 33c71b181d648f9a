"""When a response (a ChatKit stream, an AG-UI run) is finished.

It follows the visitor's message: finished when the assistant's reply to it ended, unless a
handoff is live (queued, or a person joined). Then it stays open, showing the person joining
and typing, until the person answers or the handoff ends; it does not stay open beyond that,
because a ChatKit client cannot send while a response streams. What happens later reaches the
client on the side channel.
"""

from __future__ import annotations

from shared.events import (
    Event,
    HandoffAccepted,
    HandoffEnded,
    HandoffQueued,
    MessageCancelled,
    MessageCompleted,
    MessageCreated,
)


class ReplyWatch:
    """Follows the events of one response; ``message_id`` None means nothing to wait for (an action)."""

    def __init__(self, message_id: str | None) -> None:
        self.message_id = message_id
        self.replies: set[str] = set()
        self.answered = message_id is None  # the assistant's reply ended
        self.live = False  # a handoff is queued or a person joined
        self.person_answered = False  # a person wrote while the handoff was live
        self.ended = False  # a handoff ended during this response

    @property
    def finished(self) -> bool:
        return self.ended or self.person_answered or (self.answered and not self.live)

    def see(self, event: Event) -> None:
        match event:
            case MessageCreated() if event.reply_to is not None and event.reply_to == self.message_id:
                self.replies.add(event.message_id)
            case MessageCompleted() if event.role == "agent" and self.live:
                self.person_answered = True
            case MessageCompleted() | MessageCancelled() if self._answers(event):
                self.answered = True
            case HandoffQueued() | HandoffAccepted():
                self.live = True
            case HandoffEnded():
                self.live, self.ended = False, True

    def _answers(self, event: MessageCompleted | MessageCancelled) -> bool:
        reply_to = event.reply_to if isinstance(event, MessageCompleted) else None
        return event.message_id in self.replies or (reply_to is not None and reply_to == self.message_id)
