"""Title, summary and tags of a conversation, computed from its stored events (no model needed)."""

from __future__ import annotations

import re
import uuid
from collections import Counter

from shared.events import ConversationInsights, Event, HandoffAccepted, MessageCompleted, UserMessage

NAMESPACE = uuid.UUID("0f5e2d7c-3b1a-4c8e-9d6f-2a4b6c8e0f13")
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s")
# The offline answerer's framing, not content: left out of summaries.
PREFIXES = ("From our help center:",)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def make_title(text: str, limit: int = 60) -> str:
    title = shorten(text, limit).rstrip("?!. ")
    return title[:1].upper() + title[1:] if title else "New conversation"


def first_sentence(text: str, limit: int = 160) -> str:
    for prefix in PREFIXES:
        text = text.removeprefix(prefix)
    text = text.strip()
    return shorten(SENTENCE_END_RE.split(text, maxsplit=1)[0], limit)


def topic_tags(replies: list[MessageCompleted], limit: int = 5) -> list[str]:
    """Knowledge-base documents the replies used, most used first ("shipping#costs" -> "shipping")."""
    counts: Counter[str] = Counter()
    for reply in replies:
        counts.update(list(dict.fromkeys(source.id.split("#")[0] for source in reply.sources)))
    return [tag for tag, _ in counts.most_common(limit)]


def insights_for(events: list[Event], completed: MessageCompleted) -> ConversationInsights:
    """The conversation's insights as of ``completed``, from its events up to that reply."""
    questions = [e for e in events if isinstance(e, UserMessage)]
    replies = [e for e in events if isinstance(e, MessageCompleted) and e.role == "assistant"]
    if not any(r.id == completed.id for r in replies):
        replies.append(completed)
    agents = [e.agent.name for e in events if isinstance(e, HandoffAccepted)]

    parts = []
    if questions:
        asked = "; ".join(make_title(q.text, 80) for q in questions[-3:])
        parts.append(f"Visitor asked: {asked}.")
    parts.append(f"Last answer: {first_sentence(completed.text)}")
    if agents:
        parts.append(f"Agent {agents[-1]} joined.")
    return ConversationInsights(
        id=uuid.uuid5(NAMESPACE, f"insights:{completed.id}").hex,
        tenant_id=completed.tenant_id,
        conversation_id=completed.conversation_id,
        message_id=completed.message_id,
        title=make_title(questions[0].text) if questions else "New conversation",
        summary=" ".join(parts),
        tags=topic_tags(replies),
        turns=len(questions),
        unanswered=not completed.sources,
    )
