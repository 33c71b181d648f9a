"""When a response stream is finished: the reply to the visitor's message ended and no handoff is live."""

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
        self.answered = message_id is None
        self.live = False  # a handoff is queued or a person joined
        self.ended = False  # a handoff ended during this response

    @property
    def finished(self) -> bool:
        return self.ended or (self.answered and not self.live)

    def see(self, event: Event) -> None:
        match event:
            case MessageCreated() if event.reply_to is not None and event.reply_to == self.message_id:
                self.replies.add(event.message_id)
            case MessageCompleted() | MessageCancelled() if self._answers(event):
                self.answered = True
            case HandoffQueued() | HandoffAccepted():
                self.live = True
            case HandoffEnded():
                self.live, self.ended = False, True

    def _answers(self, event: MessageCompleted | MessageCancelled) -> bool:
        reply_to = event.reply_to if isinstance(event, MessageCompleted) else None
        return event.message_id in self.replies or (reply_to is not None and reply_to == self.message_id)
