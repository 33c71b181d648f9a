"""Helpers for orchestrator tests."""

from __future__ import annotations

from shared.events import Event, UserMessage


class Recorder:
    """Collects published events in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.type == kind]


def user_message(conversation_id: str, n: int, text: str = "What does express shipping cost?") -> UserMessage:
    return UserMessage(
        id=f"user-{conversation_id}-{n}",
        tenant_id="acme",
        conversation_id=conversation_id,
        message_id=f"m{n}",
        client_id=f"c{n}",
        visitor_id="v1",
        text=text,
    )
