"""How a turn's chat messages are assembled from the conversation so far."""

from __future__ import annotations

from typing import TypedDict

from orchestrator.providers.base import ChatMessage

# Enough context for follow-up questions without the prompt growing for ever.
MAX_HISTORY_TURNS = 10


class HistoryEntry(TypedDict):
    id: str
    question: str
    answer: str


def merge_history(old: list[HistoryEntry], new: list[HistoryEntry]) -> list[HistoryEntry]:
    """Append turns; a rerun turn (same user message id) replaces its earlier entry instead of repeating it."""
    merged = {entry["id"]: entry for entry in old}
    for entry in new:
        merged.pop(entry["id"], None)
        merged[entry["id"]] = entry
    return list(merged.values())[-MAX_HISTORY_TURNS:]


def chat_messages(history: list[HistoryEntry], question: str, current_id: str) -> list[ChatMessage]:
    messages: list[ChatMessage] = []
    for entry in history:
        if entry["id"] == current_id:
            continue
        messages.append({"role": "user", "content": entry["question"]})
        messages.append({"role": "assistant", "content": entry["answer"]})
    messages.append({"role": "user", "content": question})
    return messages
