"""Per-reply state: the sources, the text streamed so far, the sentences not yet checked."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from guards.sentences import Sentence, SentenceBuffer
from shared.events import Source


@dataclass
class Reply:
    tenant_id: str
    conversation_id: str
    message_id: str
    sources: list[Source] | None = None  # None until MessageCreated (or MessageCompleted) arrives
    question: str = ""  # the visitor message answered (from MessageCreated)
    buffer: SentenceBuffer = field(default_factory=SentenceBuffer)
    waiting: list[Sentence] = field(default_factory=list)  # completed before the sources were known
    ready: list[Sentence] = field(default_factory=list)  # every sentence handed out to check so far
    touched: float = field(default_factory=time.monotonic)


class ReplyTracker:
    """Turns the events of streaming replies into sentences ready to check, in order."""

    def __init__(self, idle_timeout_s: float = 600.0, recent_s: float = 15.0) -> None:
        self.replies: dict[str, Reply] = {}
        # Completed replies, kept ``recent_s`` for a replica that takes over their partition
        # after their owner died (takeover takes a lease TTL plus a renewal round).
        self.recent: dict[str, Reply] = {}
        self.idle_timeout_s = idle_timeout_s
        self.recent_s = recent_s

    def _reply(self, tenant_id: str, conversation_id: str, message_id: str) -> Reply:
        reply = self.replies.get(message_id)
        if reply is None:
            reply = self.replies[message_id] = Reply(tenant_id, conversation_id, message_id)
        reply.touched = time.monotonic()
        return reply

    def _ready(self, reply: Reply, sentences: list[Sentence]) -> list[Sentence]:
        if reply.sources is None:
            reply.waiting.extend(sentences)
            return []
        ready, reply.waiting = [*reply.waiting, *sentences], []
        reply.ready.extend(ready)
        return ready

    def created(
        self,
        tenant_id: str,
        conversation_id: str,
        message_id: str,
        sources: list[Source],
        question: str | None = None,
    ) -> tuple[Reply, list[Sentence]]:
        self.sweep()
        reply = self._reply(tenant_id, conversation_id, message_id)
        reply.sources = list(sources)
        reply.question = question or ""
        return reply, self._ready(reply, [])

    def delta(
        self, tenant_id: str, conversation_id: str, message_id: str, offset: int, text: str
    ) -> tuple[Reply, list[Sentence]]:
        reply = self._reply(tenant_id, conversation_id, message_id)
        return reply, self._ready(reply, reply.buffer.apply_delta(offset, text))

    def completed(
        self, tenant_id: str, conversation_id: str, message_id: str, text: str, sources: list[Source]
    ) -> tuple[Reply, list[Sentence]]:
        """The reply is done: the remaining sentences (all of them if we saw none of the stream)."""
        reply = self._reply(tenant_id, conversation_id, message_id)
        if reply.sources is None or (sources and not reply.sources):
            reply.sources = list(sources)
        ready = self._ready(reply, reply.buffer.finish(text))
        del self.replies[message_id]
        self.recent[message_id] = reply
        return reply, ready

    def cancelled(self, message_id: str) -> None:
        self.replies.pop(message_id, None)
        self.recent.pop(message_id, None)

    def in_flight(self) -> list[Reply]:
        """Replies streaming now or completed in the last ``recent_s`` seconds."""
        self.sweep()
        return [*self.replies.values(), *self.recent.values()]

    def sweep(self) -> None:
        """Forget replies that stopped streaming without a completion (their producer died)."""
        cutoff = time.monotonic() - self.idle_timeout_s
        for message_id in [m for m, r in self.replies.items() if r.touched < cutoff]:
            del self.replies[message_id]
        cutoff = time.monotonic() - self.recent_s
        while self.recent:
            message_id, reply = next(iter(self.recent.items()))
            if reply.touched >= cutoff:
                break
            del self.recent[message_id]
