"""Where rolling moods live: a NATS KV bucket shared by replicas and surviving restarts.

Updates are compare-and-set on the key's revision, so two replicas scoring messages of
one conversation at once never lose an update (the loser re-reads and retries).
"""

from __future__ import annotations

from typing import Protocol

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from guards.sentiment.mood import ConversationMood

SENTIMENT_BUCKET = "sb_sentiment"


class Conflict(Exception):
    """The key changed since it was read."""


class MoodStore(Protocol):
    async def load(self, key: str) -> tuple[ConversationMood, int]:
        """The state and its revision (0 when there is none yet)."""
        ...

    async def save(self, key: str, state: ConversationMood, revision: int) -> None:
        """Write if the key is still at ``revision``, else raise Conflict."""
        ...


def mood_key(tenant_id: str, conversation_id: str) -> str:
    return f"{tenant_id}.{conversation_id}"


class MemoryMoodStore:
    def __init__(self) -> None:
        self.data: dict[str, tuple[ConversationMood, int]] = {}

    async def load(self, key: str) -> tuple[ConversationMood, int]:
        state, revision = self.data.get(key, (ConversationMood(), 0))
        return state.model_copy(deep=True), revision

    async def save(self, key: str, state: ConversationMood, revision: int) -> None:
        if self.data.get(key, (None, 0))[1] != revision:
            raise Conflict(key)
        self.data[key] = (state.model_copy(deep=True), revision + 1)


class KvMoodStore:
    def __init__(self, kv: KeyValue) -> None:
        self.kv = kv

    async def load(self, key: str) -> tuple[ConversationMood, int]:
        try:
            entry = await self.kv.get(key)
        except KeyNotFoundError:
            return ConversationMood(), 0
        if entry.value is None:
            return ConversationMood(), entry.revision or 0
        return ConversationMood.model_validate_json(entry.value), entry.revision or 0

    async def save(self, key: str, state: ConversationMood, revision: int) -> None:
        data = state.model_dump_json().encode()
        try:
            if revision == 0:
                await self.kv.create(key, data)
            else:
                await self.kv.update(key, data, last=revision)
        except KeyWrongLastSequenceError as exc:
            raise Conflict(key) from exc
