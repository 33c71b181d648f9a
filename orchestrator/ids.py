"""Deterministic ids of a reply, derived from the visitor message it answers.

A redelivered turn therefore re-streams the same message, and JetStream drops the second
copy of its durable events (same Nats-Msg-Id inside the duplicate window).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from shared.events import UserMessage

NAMESPACE = uuid.UUID("5b0a1c3e-6f7d-4c2b-9a8e-0d1f2e3c4b5a")


def _derived(kind: str, user: UserMessage) -> str:
    return uuid.uuid5(NAMESPACE, f"{kind}:{user.tenant_id}:{user.conversation_id}:{user.message_id}").hex


@dataclass(frozen=True)
class ReplyIds:
    message_id: str
    created: str
    completed: str
    cancelled: str
    notice: str

    def delta(self, offset: int) -> str:
        return f"{self.message_id}.{offset}"


def reply_ids(user: UserMessage) -> ReplyIds:
    return ReplyIds(
        message_id=_derived("reply", user),
        created=_derived("created", user),
        completed=_derived("completed", user),
        cancelled=_derived("cancelled", user),
        notice=_derived("notice", user),
    )
