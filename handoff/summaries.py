"""What the console lists a conversation by: who the visitor is, what was said last, where they are, how they feel.

One small JSON value per conversation in the handoff bucket (``sum.<tenant>.<conversation>``),
kept apart from the state record so a chatty visitor never makes a claim or a hand-back lose
its compare-and-set. Written from bus events (visitor messages, finished replies, sentiment
scores) by the handoff service's consumers; events that arrive late never overwrite newer ones.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from shared.events import MessageCompleted, SentimentScored, UserMessage

if TYPE_CHECKING:
    from handoff.store import HandoffStore

PREVIEW_CHARS = 160
SAVE_ATTEMPTS = 8

# Rolling mood (-1 angry .. 1 happy) in words, checked top down; the console shows the word.
MOOD_WORDS: tuple[tuple[float, str], ...] = ((-0.6, "angry"), (-0.3, "upset"), (0.3, "calm"), (1.0, "happy"))


class ConversationSummary(BaseModel):
    """Stored per conversation; ``revision`` is the KV revision it was read at (compare-and-set)."""

    tenant_id: str
    conversation_id: str
    visitor_id: str | None = None
    last_text: str = ""
    last_role: str | None = None
    last_at: datetime | None = None
    visitor_last_at: datetime | None = None
    page: str | None = None
    language: str | None = None
    name: str | None = None
    email: str | None = None
    mood: float | None = None
    mood_at: datetime | None = None
    revision: int = Field(0, exclude=True)


class VisitorView(BaseModel):
    """The visitor side of a conversation as the agent API and console frames show it."""

    label: str = Field(
        description="What to call the visitor: a verified visitor's name or email, else a friendly id from their id."
    )
    name: str | None = Field(None, description="A verified visitor's name, as the host site gave it.")
    email: str | None = Field(None, description="A verified visitor's email, as the host site gave it.")
    visitor_id: str | None = Field(None, description="The visitor (u_... when the host site verified them).")
    verified: bool = Field(False, description="The host site vouched for who they are (identity verification).")
    last_message: str = Field("", description="The last message in the conversation, shortened to a preview.")
    last_role: str | None = Field(None, description="Who wrote it: visitor, assistant or agent.")
    last_at: datetime | None = Field(None, description="When it was written.")
    visitor_last_at: datetime | None = Field(None, description="When the visitor last wrote.")
    page: str | None = Field(None, description="Path of the page they last wrote from.")
    language: str | None = Field(None, description="Their language (BCP 47), from their widget or browser.")
    mood: float | None = Field(None, description="Rolling mood, -1 (angry) to 1 (happy), if scored.")
    mood_words: str | None = Field(None, description="That mood in a word: angry, upset, calm or happy.")


def summary_key(tenant_id: str, conversation_id: str) -> str:
    return f"sum.{tenant_id}.{conversation_id}"


def friendly_id(visitor_id: str) -> str:
    """Four characters that stay the same for a visitor and rarely collide within a queue."""
    return hashlib.sha256(visitor_id.encode()).hexdigest()[:4].upper()


def visitor_label(visitor_id: str | None, conversation_id: str) -> str:
    return f"Visitor {friendly_id(visitor_id or conversation_id)}"


def mood_words(mood: float | None) -> str | None:
    if mood is None:
        return None
    return next((word for bound, word in MOOD_WORDS if mood <= bound), MOOD_WORDS[-1][1])


def preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"


def visitor_view(summary: ConversationSummary | None, conversation_id: str) -> VisitorView:
    if summary is None:
        return VisitorView(label=visitor_label(None, conversation_id))
    visitor = summary.visitor_id
    verified = bool(visitor and visitor.startswith("u_"))
    name, email = (summary.name, summary.email) if verified else (None, None)
    return VisitorView(
        label=name or email or visitor_label(visitor, conversation_id),
        name=name,
        email=email,
        visitor_id=visitor,
        verified=verified,
        last_message=summary.last_text,
        last_role=summary.last_role,
        last_at=summary.last_at,
        visitor_last_at=summary.visitor_last_at,
        page=summary.page,
        language=summary.language,
        mood=summary.mood,
        mood_words=mood_words(summary.mood),
    )


Noted = UserMessage | MessageCompleted | SentimentScored


def updated(summary: ConversationSummary, event: Noted) -> ConversationSummary | None:
    """The summary with ``event`` folded in, or None when it changes nothing (e.g. it is older)."""
    ts = event.ts
    patch: dict[str, object] = {}
    if isinstance(event, SentimentScored):
        if summary.mood_at is None or ts >= summary.mood_at:
            patch = {"mood": event.mood, "mood_at": ts}
    else:
        if summary.last_at is None or ts >= summary.last_at:
            patch = {"last_text": preview(event.text), "last_at": ts}
            patch["last_role"] = "visitor" if isinstance(event, UserMessage) else event.role
        if isinstance(event, UserMessage):
            patch["visitor_id"] = event.visitor_id
            if summary.visitor_last_at is None or ts >= summary.visitor_last_at:
                patch["visitor_last_at"] = ts
                patch["page"] = event.page or summary.page
                patch["language"] = event.language or summary.language
                patch["name"] = event.visitor_name or summary.name
                patch["email"] = event.visitor_email or summary.email
    if not patch:
        return None
    return summary.model_copy(update=patch)


async def note(store: HandoffStore, event: Noted) -> ConversationSummary | None:
    """Fold one event into its conversation's stored summary (compare-and-set, retried on a race)."""
    for _ in range(SAVE_ATTEMPTS):
        current = await store.load_summary(event.tenant_id, event.conversation_id)
        base = current or ConversationSummary(tenant_id=event.tenant_id, conversation_id=event.conversation_id)
        changed = updated(base, event)
        if changed is None:
            return current
        saved = await store.save_summary(changed)
        if saved is not None:
            return saved
    raise RuntimeError(f"summary of {event.conversation_id} kept changing under {SAVE_ATTEMPTS} attempts")
