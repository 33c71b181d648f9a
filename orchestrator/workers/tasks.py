"""What the workers do with one completed reply; plain functions the handlers call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from orchestrator.workers.insights import insights_for
from shared.events import ConversationInsights, Event, MessageCompleted

ReadEvents = Callable[[str, str, int], Awaitable[list[Event]]]
Publish = Callable[[Event], Awaitable[object]]


@dataclass
class Workers:
    read_events: ReadEvents
    publish: Publish


async def refresh_insights(
    workers: Workers, completed: MessageCompleted, seq: int | None
) -> ConversationInsights | None:
    """Publish the conversation's insights after an assistant reply; agent replies change nothing."""
    if completed.role != "assistant":
        return None
    events = await workers.read_events(completed.tenant_id, completed.conversation_id, seq) if seq else []
    insights = insights_for(events, completed)
    await workers.publish(insights)
    return insights
