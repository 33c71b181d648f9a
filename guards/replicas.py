"""Which replica of a guard owns a conversation.

Token deltas ride core NATS, so every replica of the hallucination guard receives every
delta (a queue group would scatter one reply's deltas over replicas). Each replica keeps
only the conversations it owns: a stable hash of the conversation id modulo the replica
count, index and count from SB_REPLICA_INDEX / SB_REPLICA_COUNT (a StatefulSet ordinal).
"""

from __future__ import annotations

import zlib

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReplicaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SB_REPLICA_", extra="ignore")

    index: int = Field(0, ge=0, description="This replica's index, 0-based.")
    count: int = Field(1, ge=1, description="How many replicas share the work.")


def owner(conversation_id: str, count: int) -> int:
    """The replica index that owns a conversation (stable across processes, unlike hash())."""
    return zlib.crc32(conversation_id.encode()) % count


def owns(conversation_id: str, replicas: ReplicaSettings) -> bool:
    return owner(conversation_id, replicas.count) == replicas.index
