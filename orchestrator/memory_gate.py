"""An in-process Gate: one replica, no NATS. For unit tests and the in-process bench."""

from __future__ import annotations

from orchestrator.gate import MESSAGE_KINDS, Lock, Resume, Turn, latest_component, lock_key
from shared.events import Component, Event


class MemoryGate:
    lock_ttl = 10

    def __init__(self) -> None:
        self.locks: set[str] = set()
        self.answered: dict[str, int] = {}
        self.modes: dict[str, str] = {}
        self.handoff_ends: dict[str, int] = {}
        # Visitor messages and widget actions of a conversation, by sequence.
        self.messages: dict[str, list[tuple[int, Turn]]] = {}
        # Other stored events of a conversation (agent messages, replies), as SB_CONV would hold them.
        self.stored: dict[str, list[tuple[int, Event]]] = {}
        # What an earlier run of a reply got to, by reply message_id (set by tests).
        self.resumes: dict[str, Resume] = {}

    async def acquire(self, tenant_id: str, conversation_id: str) -> Lock | None:
        key = lock_key(tenant_id, conversation_id)
        if key in self.locks:
            return None
        self.locks.add(key)
        return Lock(key, "memory", 1)

    async def refresh(self, lock: Lock) -> bool:
        return lock.key in self.locks

    async def release(self, lock: Lock) -> None:
        self.locks.discard(lock.key)

    async def answered_through(self, tenant_id: str, conversation_id: str) -> int:
        return self.answered.get(lock_key(tenant_id, conversation_id), 0)

    async def set_answered_through(self, tenant_id: str, conversation_id: str, seq: int) -> None:
        self.answered[lock_key(tenant_id, conversation_id)] = seq

    async def mode(self, tenant_id: str, conversation_id: str) -> str:
        return self.modes.get(lock_key(tenant_id, conversation_id), "ai")

    async def last_handoff_end(self, tenant_id: str, conversation_id: str) -> int:
        return self.handoff_ends.get(lock_key(tenant_id, conversation_id), 0)

    async def pending(self, tenant_id: str, conversation_id: str, after: int, through: int) -> list[tuple[int, Turn]]:
        stored = self.messages.get(lock_key(tenant_id, conversation_id), [])
        return sorted(((seq, m) for seq, m in stored if after < seq <= through), key=lambda pair: pair[0])

    async def component(
        self, tenant_id: str, conversation_id: str, component_id: str, before: int | None
    ) -> Component | None:
        stored = self.stored.get(lock_key(tenant_id, conversation_id), [])
        return latest_component(component_id, [(s, e) for s, e in stored if before is None or s < before])

    async def events(self, tenant_id: str, conversation_id: str, after: int, before: int) -> list[tuple[int, Event]]:
        stored = await self.stored_events(tenant_id, conversation_id, after, before)
        return [(seq, e) for seq, e in stored if e.type.startswith(MESSAGE_KINDS)]

    async def stored_events(
        self, tenant_id: str, conversation_id: str, after: int, before: int
    ) -> list[tuple[int, Event]]:
        key = lock_key(tenant_id, conversation_id)
        stored: list[tuple[int, Event]] = [*self.messages.get(key, []), *self.stored.get(key, [])]
        return sorted(((seq, e) for seq, e in stored if after < seq < before), key=lambda pair: pair[0])

    async def resume_point(self, tenant_id: str, conversation_id: str, message_id: str) -> Resume:
        return self.resumes.get(message_id, Resume())
