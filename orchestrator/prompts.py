"""How a turn's chat messages are assembled from the conversation so far."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from orchestrator.providers.base import ChatMessage

# Enough context for follow-up questions without the prompt growing for ever.
MAX_HISTORY_MESSAGES = 20


class HistoryEntry(TypedDict):
    """One exchange: a visitor message and the reply to it, either of which may be empty.

    An AI turn fills both under the visitor message's id; folded transcript events (see
    orchestrator.transcript) add a visitor message the AI skipped (no answer) or an agent's
    message (no question, ``role="agent"``) under their own message ids.
    """

    id: str
    question: str
    answer: str
    role: NotRequired[str]  # who gave the answer: "assistant" (default) or "agent"
    author: NotRequired[str]  # the agent's display name
    seq: NotRequired[int]  # SB_CONV sequence of the event it was folded from


def _size(entry: HistoryEntry) -> int:
    return bool(entry.get("question")) + bool(entry.get("answer"))


def merge_history(old: list[HistoryEntry], new: list[HistoryEntry]) -> list[HistoryEntry]:
    """Append entries; a rerun turn (same id) replaces its earlier entry instead of repeating it.

    Keeps the newest entries holding at most MAX_HISTORY_MESSAGES chat messages.
    """
    merged = {entry["id"]: entry for entry in old}
    for entry in new:
        merged.pop(entry["id"], None)
        merged[entry["id"]] = entry
    kept: list[HistoryEntry] = []
    budget = MAX_HISTORY_MESSAGES
    for entry in reversed(merged.values()):
        budget -= _size(entry)
        if budget < 0:
            break
        kept.append(entry)
    kept.reverse()
    return kept


def answer_message(entry: HistoryEntry) -> ChatMessage:
    """The reply as the model sees it; an agent's words are marked so the model knows a human said them."""
    if entry.get("role") == "agent":
        return {"role": "assistant", "content": f"[{entry.get('author') or 'Agent'}, human agent] {entry['answer']}"}
    return {"role": "assistant", "content": entry["answer"]}


def chat_messages(history: list[HistoryEntry], question: str, current_id: str) -> list[ChatMessage]:
    messages: list[ChatMessage] = []
    for entry in history:
        if entry["id"] == current_id:
            continue
        if entry.get("question"):
            messages.append({"role": "user", "content": entry["question"]})
        if entry.get("answer"):
            messages.append(answer_message(entry))
    messages.append({"role": "user", "content": question})
    return messages
