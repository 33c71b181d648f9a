"""Which live events an agent's console receives.

Every agent of a tenant gets the queue (conversation and agent records, in their own frames).
Bus events carry what visitors and the assistant say, so they go only where the agent may read
them: everything of the conversations assigned to that agent, and for queued ones the metadata
an agent picks work by (sentiment scores, handoff requests and state changes). A supervisor
sees everything of the tenant.

Conversation summaries (summaries.py: the visitor's name, a one-line preview of the last
message, page, language, mood) are not bus events: every agent of the tenant gets them, as
the list every agent picks work from shows them (and any agent of the tenant may read a
conversation's transcript through the API anyway).
"""

from __future__ import annotations

from dataclasses import dataclass

from handoff.records import ConversationRecord
from shared.subjects import Channel

# ops events that carry no visitor or assistant text
METADATA = frozenset({"sentiment.scored", "handoff.requested", "handoff.state"})
# the ones an agent sees even before the conversation is queued: they are what queues it
QUEUE_CHANGES = frozenset({"handoff.requested", "handoff.state"})


@dataclass(frozen=True)
class Viewer:
    tenant_id: str
    agent_id: str
    sees_all: bool = False


def may_see(viewer: Viewer, record: ConversationRecord | None, channel: str, kind: str) -> bool:
    if viewer.sees_all:
        return True
    if record is not None and record.state == "assigned" and record.agent_id == viewer.agent_id:
        return True
    if channel != Channel.OPS or kind not in METADATA:
        return False
    return kind in QUEUE_CHANGES or (record is not None and record.state == "queued")
