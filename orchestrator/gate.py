"""Per-conversation coordination between orchestrator replicas, kept in NATS KV.

- a lock (``CONVERSATION_LOCKS_BUCKET``, key ``{tenant}.{conversation}``) with a per-message TTL,
  refreshed while a reply streams, so a crashed replica's lock expires by itself;
- ``answered.{tenant}.{conversation}`` in ``CONVERSATION_STATE_BUCKET``: the stream sequence of
  the last visitor message handled, which makes redelivered messages no-ops;
- ``mode.{tenant}.{conversation}`` in the same bucket, written by the handoff service; with
  the latest ``handoff.ended`` in SB_CONV it says whether the AI may answer a message.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from nats.js.errors import BadRequestError, BucketNotFoundError, KeyWrongLastSequenceError, NotFoundError

from shared.bus import nats_replicas
from shared.events import Event, UserMessage, parse_event
from shared.subjects import (
    CONV_STREAM,
    CONVERSATION_LOCKS_BUCKET,
    CONVERSATION_STATE_BUCKET,
    Channel,
    subject,
)

if TYPE_CHECKING:
    from nats.js import JetStreamContext
    from nats.js.kv import KeyValue

log = logging.getLogger(__name__)

LOCK_TTL_S = 10.0


@dataclass
class Lock:
    key: str
    owner: str
    revision: int


class Gate(Protocol):
    async def acquire(self, tenant_id: str, conversation_id: str) -> Lock | None: ...
    async def refresh(self, lock: Lock) -> bool: ...
    async def release(self, lock: Lock) -> None: ...
    async def answered_through(self, tenant_id: str, conversation_id: str) -> int: ...
    async def set_answered_through(self, tenant_id: str, conversation_id: str, seq: int) -> None: ...
    async def mode(self, tenant_id: str, conversation_id: str) -> str: ...
    async def last_handoff_end(self, tenant_id: str, conversation_id: str) -> int: ...
    async def pending(
        self, tenant_id: str, conversation_id: str, after: int, through: int
    ) -> list[tuple[int, UserMessage]]: ...
    async def events(
        self, tenant_id: str, conversation_id: str, after: int, before: int
    ) -> list[tuple[int, Event]]: ...


def lock_key(tenant_id: str, conversation_id: str) -> str:
    return f"{tenant_id}.{conversation_id}"


def answered_key(tenant_id: str, conversation_id: str) -> str:
    return f"answered.{tenant_id}.{conversation_id}"


def mode_key(tenant_id: str, conversation_id: str) -> str:
    return f"mode.{tenant_id}.{conversation_id}"


async def bucket(js: JetStreamContext, name: str, **config: Any) -> KeyValue:
    """Bind to a KV bucket, creating it if nobody has yet (another service may own its config)."""
    try:
        return await js.key_value(name)
    except BucketNotFoundError:
        pass
    try:
        return await js.create_key_value(bucket=name, **{"replicas": nats_replicas(), **config})
    except BadRequestError:
        # Another process created it between our two calls.
        return await js.key_value(name)


class NatsGate:
    def __init__(self, js: JetStreamContext, locks: KeyValue, state: KeyValue, lock_ttl: float = LOCK_TTL_S) -> None:
        self.js, self.locks, self.state = js, locks, state
        self.lock_ttl = lock_ttl
        self.owner = uuid.uuid4().hex

    @classmethod
    async def connect(cls, js: JetStreamContext, lock_ttl: float = LOCK_TTL_S) -> NatsGate:
        # limit_marker_ttl makes the server accept per-message TTLs on the lock bucket.
        locks = await bucket(js, CONVERSATION_LOCKS_BUCKET, limit_marker_ttl=1)
        state = await bucket(js, CONVERSATION_STATE_BUCKET)
        return cls(js, locks, state, lock_ttl)

    async def acquire(self, tenant_id: str, conversation_id: str) -> Lock | None:
        key = lock_key(tenant_id, conversation_id)
        try:
            revision = await self.locks.create(key, self.owner.encode(), msg_ttl=self.lock_ttl)
        except KeyWrongLastSequenceError:
            return None
        return Lock(key, self.owner, revision)

    async def refresh(self, lock: Lock) -> bool:
        """Extend the lock's TTL; False if it was lost (expired and taken by someone else)."""
        try:
            # KeyValue.update() takes no TTL; _update is the same call with one.
            lock.revision = await self.locks._update(
                lock.key, lock.owner.encode(), last=lock.revision, msg_ttl=self.lock_ttl
            )
        except KeyWrongLastSequenceError:
            return False
        return True

    async def release(self, lock: Lock) -> None:
        try:
            await self.locks.delete(lock.key, last=lock.revision)
        except KeyWrongLastSequenceError:
            log.warning("lock %s was lost before release", lock.key)

    async def answered_through(self, tenant_id: str, conversation_id: str) -> int:
        try:
            entry = await self.state.get(answered_key(tenant_id, conversation_id))
        except NotFoundError:
            return 0
        return int(entry.value or b"0")

    async def set_answered_through(self, tenant_id: str, conversation_id: str, seq: int) -> None:
        await self.state.put(answered_key(tenant_id, conversation_id), str(seq).encode())

    async def mode(self, tenant_id: str, conversation_id: str) -> str:
        try:
            entry = await self.state.get(mode_key(tenant_id, conversation_id))
        except NotFoundError:
            return "ai"
        return (entry.value or b"ai").decode()

    async def last_handoff_end(self, tenant_id: str, conversation_id: str) -> int:
        """SB_CONV sequence of the conversation's latest ``handoff.ended`` (0 if none)."""
        ended = subject(Channel.CONV, tenant_id, conversation_id, "handoff.ended")
        try:
            raw = await self.js.get_msg(CONV_STREAM, subject=ended, direct=True)
        except NotFoundError:
            return 0
        return raw.seq or 0

    async def pending(
        self, tenant_id: str, conversation_id: str, after: int, through: int
    ) -> list[tuple[int, UserMessage]]:
        """The conversation's visitor messages with stream sequence in (after, through], in order."""
        wanted = subject(Channel.CONV, tenant_id, conversation_id, "message.user")
        found: list[tuple[int, UserMessage]] = []
        seq = after + 1
        while seq <= through:
            try:
                raw = await self.js.get_msg(CONV_STREAM, seq=seq, subject=wanted, next=True, direct=True)
            except NotFoundError:
                break
            if raw.seq is None or raw.seq > through:
                break
            event = parse_event(raw.data or b"{}")
            if isinstance(event, UserMessage):
                event.seq = raw.seq
                found.append((raw.seq, event))
            seq = raw.seq + 1
        return found

    async def events(self, tenant_id: str, conversation_id: str, after: int, before: int) -> list[tuple[int, Event]]:
        """The conversation's ``message.*`` events with stream sequence in (after, before), in order.

        One direct get per event (the range is usually a reply or two); ``message.*`` leaves
        out handoff events and notices, which the history does not need.
        """
        wanted = subject(Channel.CONV, tenant_id, conversation_id, "message.>")
        found: list[tuple[int, Event]] = []
        seq = after + 1
        while seq < before:
            try:
                raw = await self.js.get_msg(CONV_STREAM, seq=seq, subject=wanted, next=True, direct=True)
            except NotFoundError:
                break
            if raw.seq is None or raw.seq >= before:
                break
            try:
                event = parse_event(raw.data or b"{}")
            except Exception:  # a type this build does not know: not history
                log.debug("skipping unparsable event at seq %s", raw.seq, exc_info=True)
            else:
                event.seq = raw.seq
                found.append((raw.seq, event))
            seq = raw.seq + 1
        return found


__all__ = ("Gate", "Lock", "NatsGate", "bucket")
