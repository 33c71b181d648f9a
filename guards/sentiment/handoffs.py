"""Whether a conversation already waits for or has a human: read from the handoff service's records.

The monitor asks for no human while one is queued or assigned (a flood of angry messages is
not a flood of handoff requests). The handoff service owns the bucket; until it exists no
conversation has been handed off.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Protocol

from nats.js.errors import BucketNotFoundError, KeyDeletedError, KeyNotFoundError

from shared.subjects import HANDOFF_BUCKET, handoff_record_key

if TYPE_CHECKING:
    from nats.js import JetStreamContext
    from nats.js.kv import KeyValue

log = logging.getLogger(__name__)

BUSY = frozenset({"queued", "assigned"})


class HandoffStates(Protocol):
    async def busy(self, tenant_id: str, conversation_id: str) -> bool:
        """True while the conversation is queued for or assigned to a human."""
        ...


class NoHandoffs:
    """No handoff service to ask (the bus-less tests): nothing is ever busy."""

    async def busy(self, tenant_id: str, conversation_id: str) -> bool:
        return False


class MemoryHandoffStates:
    def __init__(self) -> None:
        self.states: dict[tuple[str, str], str] = {}

    async def busy(self, tenant_id: str, conversation_id: str) -> bool:
        return self.states.get((tenant_id, conversation_id)) in BUSY


class KvHandoffStates:
    def __init__(self, js: JetStreamContext) -> None:
        self.js = js
        self.kv: KeyValue | None = None

    async def busy(self, tenant_id: str, conversation_id: str) -> bool:
        if self.kv is None:
            try:
                self.kv = await self.js.key_value(HANDOFF_BUCKET)
            except BucketNotFoundError:
                return False
        try:
            entry = await self.kv.get(handoff_record_key(tenant_id, conversation_id))
        except (KeyNotFoundError, KeyDeletedError):
            return False
        try:
            state = json.loads(entry.value or b"{}").get("state")
        except (ValueError, AttributeError):
            log.warning("unreadable handoff record for %s/%s", tenant_id, conversation_id)
            return False
        return state in BUSY
