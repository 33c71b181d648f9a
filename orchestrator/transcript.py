"""Folding the conversation's stored events into the turn history.

The checkpointed history holds what this graph said and heard. Between two AI turns the
conversation may have moved on without it: visitor messages skipped while an agent had the
conversation, the agent's replies, turns answered by a replica whose history this one lacks,
a reply cut short. Before each turn the events of SB_CONV between ``folded_through`` (kept in
graph state) and the visitor message being answered are read and folded in, by sequence, so
folding the same events again changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from orchestrator.prompts import HistoryEntry
from shared.events import Event, MessageCancelled, MessageCompleted, MessageCreated, UserMessage

# Reads the conversation's message events with SB_CONV sequence in (after, before), oldest first.
ReadEvents = Callable[[int, int], Awaitable[list[tuple[int, Event]]]]


def fold_events(history: list[HistoryEntry], events: Iterable[tuple[int, Event]]) -> list[HistoryEntry]:
    """The entries ``events`` add to ``history``, in sequence order (a pure function).

    - ``message.user`` not yet in history: a question without an answer (skipped, or its turn lost);
    - ``message.completed`` by an agent: an answer without a question, marked ``role="agent"``;
    - ``message.completed`` by the assistant, or ``message.cancelled`` with text, whose visitor
      message has no answer in history: the answer of that entry.
    """
    by_id = {entry["id"]: entry for entry in history}
    added: dict[str, HistoryEntry] = {}
    replies: dict[str, str | None] = {}  # reply message_id -> visitor message_id it answers

    def known(key: str) -> HistoryEntry | None:
        return added.get(key) or by_id.get(key)

    def answer(reply_id: str, reply_to: str | None, text: str, seq: int) -> None:
        question = known(reply_to) if reply_to else None
        if question is not None:
            if not question.get("answer"):
                added[question["id"]] = {**question, "answer": text}
        elif known(reply_id) is None:
            added[reply_id] = {"id": reply_id, "question": "", "answer": text, "seq": seq}

    for seq, event in sorted(events, key=lambda pair: pair[0]):
        if isinstance(event, UserMessage):
            if known(event.message_id) is None:
                added[event.message_id] = {"id": event.message_id, "question": event.text, "answer": "", "seq": seq}
        elif isinstance(event, MessageCreated):
            replies[event.message_id] = event.reply_to
        elif isinstance(event, MessageCompleted):
            if event.role == "agent":
                if known(event.message_id) is None:
                    added[event.message_id] = {
                        "id": event.message_id,
                        "question": "",
                        "answer": event.text,
                        "role": "agent",
                        "author": event.author.name if event.author else "",
                        "seq": seq,
                    }
            elif event.role == "assistant" and event.text:
                answer(event.message_id, event.reply_to or replies.get(event.message_id), event.text, seq)
        elif isinstance(event, MessageCancelled) and event.text:
            # What the visitor saw of a reply that was stopped (an agent joined, the model failed).
            answer(event.message_id, replies.get(event.message_id), event.text, seq)
    return list(added.values())
