"""Turn a verdict on a sentence into the event the widget sees, following the tenant's policy."""

from __future__ import annotations

from guards.sentences import Sentence
from guards.verdict import Verdict
from shared import metrics
from shared.events import MessageFlagged
from shared.events.guards import flag_id
from shared.tenants import GuardPolicy


def flag_for(
    tenant_id: str, conversation_id: str, message_id: str, sentence: Sentence, verdict: Verdict, policy: GuardPolicy
) -> MessageFlagged | None:
    """The flag to publish, or None if the sentence passes the tenant's threshold."""
    if verdict.score < policy.threshold:
        return None
    replacement = None
    if policy.action == "replace":
        # A close source passage corrects a wrong number, name or negation; otherwise a neutral notice.
        replacement = verdict.closest or policy.replacement
    metrics.GUARD_FLAGS[policy.action].inc()
    return MessageFlagged(
        id=flag_id(message_id, sentence.start),
        tenant_id=tenant_id,
        conversation_id=conversation_id,
        message_id=message_id,
        start=sentence.start,
        end=sentence.end,
        sentence=sentence.text,
        score=round(verdict.score, 3),
        reason=verdict.reason,
        method=verdict.method,
        action=policy.action,
        replacement=replacement,
    )
