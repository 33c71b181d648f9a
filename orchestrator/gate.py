"""Per-conversation coordination between orchestrator replicas, kept in NATS KV.

- a lock (``CONVERSATION_LOCKS_BUCKET``, key ``{tenant}.{conversation}``) with a per-message TTL,
  refreshed while a reply streams, so a crashed replica's lock expires by itself;
- ``answered.{tenant}.{conversation}`` in ``CONVERSATION_STATE_BUCKET``: the stream sequence of
  the last visitor message handled, which makes redelivered messages no-ops;
- ``mode.{tenant}.{conversation}`` in the same bucket, written by the handoff service; with
  the latest ``handoff.ended`` in SB_CONV it says whether the AI may answer a message;
- ``REPLY_PROGRESS_STREAM`` (memory, one message per conversation): the last ``message.delta``
  published in each conversation, captured by the server from the plain publish (no ack, no
  round trip on the hot path). A rerun of a reply reads it to learn how much text the widget
  already shows (see ``orchestrator.turns.answer``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from nats.errors import ConnectionClosedError, NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import DiscardPolicy, StorageType, StreamConfig
from nats.js.errors import (
    BadRequestError,
    BucketNotFoundError,
    KeyDeletedError,
    KeyWrongLastSequenceError,
    NotFoundError,
)

from shared.bus import nats_replicas
from shared.direct_get import stored_between
from shared.events import Component, ComponentUpdated, Event, MessageCompleted, UserMessage, WidgetAction, parse_event
from shared.subjects import (
    CONV_STREAM,
    CONVERSATION_LOCKS_BUCKET,
    CONVERSATION_STATE_BUCKET,
    Channel,
    kind_pattern,
    mode_key,
    subject,
)

if TYPE_CHECKING:
    from nats.js import JetStreamContext
    from nats.js.kv import KeyValue

log = logging.getLogger(__name__)

# Per-message TTLs are whole seconds (nats-py sends int(ttl)).
LOCK_TTL_S = 2
REPLY_PROGRESS_STREAM = "SB_REPLY_PROGRESS"
# The kinds the turn history is made of.
MESSAGE_KINDS = "message."
# JetStream's "wrong last sequence" error codes (a conditional write lost the race).
WRONG_LAST_SEQUENCE = (10071, 10164)


# What the orchestrator answers, in conversation order: a visitor message or a widget action.
Turn = UserMessage | WidgetAction
TURN_KINDS = ("message.user", "widget.action")


@dataclass
class Lock:
    key: str
    owner: str
    revision: int


@dataclass(frozen=True)
class Resume:
    """Where an earlier run of a reply got to: its end event if one is stored, the characters shown."""

    ended: Literal["completed", "cancelled"] | None = None
    shown: int = 0


def reply_progress_config() -> StreamConfig:
    return StreamConfig(
        name=REPLY_PROGRESS_STREAM,
        description="The last message.delta of each conversation: how far a reply streamed, for its rerun.",
        subjects=[kind_pattern(Channel.PUSH, "message.delta")],
        max_msgs_per_subject=1,
        max_age=3600,
        storage=StorageType.MEMORY,
        discard=DiscardPolicy.OLD,
        allow_direct=True,
        num_replicas=nats_replicas(),
    )


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
    ) -> list[tuple[int, Turn]]: ...
    async def component(
        self, tenant_id: str, conversation_id: str, component_id: str, before: int | None
    ) -> Component | None: ...
    async def events(
        self, tenant_id: str, conversation_id: str, after: int, before: int
    ) -> list[tuple[int, Event]]: ...
    async def stored_events(
        self, tenant_id: str, conversation_id: str, after: int, before: int
    ) -> list[tuple[int, Event]]: ...
    async def resume_point(self, tenant_id: str, conversation_id: str, message_id: str) -> Resume: ...


def lock_key(tenant_id: str, conversation_id: str) -> str:
    return f"{tenant_id}.{conversation_id}"


def answered_key(tenant_id: str, conversation_id: str) -> str:
    return f"answered.{tenant_id}.{conversation_id}"


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


async def ensure_reply_progress(js: JetStreamContext) -> None:
    """Create the progress stream; again after a nats-server restart, which loses memory streams."""
    try:
        await js.add_stream(config=reply_progress_config())
    except BadRequestError:
        await js.update_stream(config=reply_progress_config())


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
        await ensure_reply_progress(js)
        return cls(js, locks, state, lock_ttl)

    async def acquire(self, tenant_id: str, conversation_id: str) -> Lock | None:
        key = lock_key(tenant_id, conversation_id)
        # Unique per acquisition: a turn that lost the lock never mistakes a later one for its own.
        owner = f"{self.owner}.{uuid.uuid4().hex[:12]}"
        try:
            revision = await self.locks.create(key, owner.encode(), msg_ttl=self.lock_ttl)
        except KeyWrongLastSequenceError:
            return None
        return Lock(key, owner, revision)

    async def refresh(self, lock: Lock) -> bool:
        """Extend the lock's TTL; False if it was lost (expired, perhaps taken by someone else)."""
        try:
            # KeyValue.update() takes no TTL; _update is the same call with one.
            lock.revision = await self.locks._update(
                lock.key, lock.owner.encode(), last=lock.revision, msg_ttl=self.lock_ttl
            )
        except KeyWrongLastSequenceError:
            # A refresh we gave up on (NATS froze) may have been applied: still ours, adopt it.
            try:
                entry = await self.locks.get(lock.key)
            except (NotFoundError, KeyDeletedError):
                return False
            if entry.value != lock.owner.encode() or entry.revision is None:
                return False
            try:
                lock.revision = await self.locks._update(
                    lock.key, lock.owner.encode(), last=entry.revision, msg_ttl=self.lock_ttl
                )
            except KeyWrongLastSequenceError:
                return False
        return True

    async def release(self, lock: Lock) -> None:
        try:
            await self.locks.delete(lock.key, last=lock.revision)
        except BadRequestError as err:  # delete() reports a wrong revision as err_code 10071
            if err.err_code not in WRONG_LAST_SEQUENCE:
                raise
            await self._release_if_ours(lock)
        except (NatsTimeoutError, ConnectionClosedError):
            # Not worth failing the turn over: the lock expires by itself shortly.
            log.warning("could not release lock %s (NATS unreachable); it expires in %ss", lock.key, self.lock_ttl)

    async def _release_if_ours(self, lock: Lock) -> None:
        """The revision moved on without us knowing: a refresh the client gave up on (NATS froze)
        was applied when the server came back. Still ours: delete it now, not a TTL later."""
        try:
            entry = await self.locks.get(lock.key)
        except (NotFoundError, KeyDeletedError):
            return
        if entry.value != lock.owner.encode() or entry.revision is None:
            log.warning("lock %s was lost before release", lock.key)
            return
        try:
            await self.locks.delete(lock.key, last=entry.revision)
        except BadRequestError:
            log.warning("lock %s was taken while being released", lock.key)

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

    async def pending(self, tenant_id: str, conversation_id: str, after: int, through: int) -> list[tuple[int, Turn]]:
        """The conversation's visitor messages and widget actions with sequence in (after, through], in order."""
        stored = await self.stored_events(tenant_id, conversation_id, after, through + 1)
        return [(seq, event) for seq, event in stored if isinstance(event, UserMessage | WidgetAction)]

    async def component(
        self, tenant_id: str, conversation_id: str, component_id: str, before: int | None
    ) -> Component | None:
        """The component ``component_id`` as the conversation last showed it before sequence ``before``.

        Found in the replies that carried components (``message.completed``: the assistant's,
        an agent's, a pushed message) and the replacements since (``component.updated``).
        One read of the conversation (batched, 256 events a round trip); run only for a widget action.
        """
        stored = await self.stored_events(tenant_id, conversation_id, 0, before if before is not None else 2**63 - 1)
        return latest_component(component_id, stored)

    async def events(self, tenant_id: str, conversation_id: str, after: int, before: int) -> list[tuple[int, Event]]:
        """The conversation's ``message.*`` events with stream sequence in (after, before), in order.

        ``message.*`` leaves out handoff events and notices, which the history does not need.
        """
        stored = await self.stored_events(tenant_id, conversation_id, after, before)
        return [(seq, event) for seq, event in stored if event.type.startswith(MESSAGE_KINDS)]

    async def stored_events(
        self, tenant_id: str, conversation_id: str, after: int, before: int
    ) -> list[tuple[int, Event]]:
        """Every event the conversation stored with stream sequence in (after, before), in order.

        One batched direct get (the range is usually a reply or two). An event this build cannot
        decode is left out: it is no visitor message and no history (and is dead-lettered on its
        own delivery).
        """
        wanted = subject(Channel.CONV, tenant_id, conversation_id, ">")
        found: list[tuple[int, Event]] = []
        for raw in await stored_between(self.js._nc, CONV_STREAM, wanted, after, before):
            try:
                event = parse_event(raw.data or b"{}")
            except Exception:
                log.debug("skipping undecodable event at seq %s", raw.seq, exc_info=True)
            else:
                event.seq = raw.seq
                found.append((raw.seq, event))
        return found

    async def resume_point(self, tenant_id: str, conversation_id: str, message_id: str) -> Resume:
        """How far reply ``message_id`` got in an earlier run (a crashed or cut-off replica).

        Three direct gets at once (one round trip), made only when a reply may be a rerun.
        """
        delta, completed, cancelled = await asyncio.gather(
            self._last(REPLY_PROGRESS_STREAM, subject(Channel.PUSH, tenant_id, conversation_id, "message.delta")),
            self._last(CONV_STREAM, subject(Channel.CONV, tenant_id, conversation_id, "message.completed")),
            self._last(CONV_STREAM, subject(Channel.CONV, tenant_id, conversation_id, "message.cancelled")),
        )
        ended: Literal["completed", "cancelled"] | None = None
        if completed.get("message_id") == message_id:
            ended = "completed"
        elif cancelled.get("message_id") == message_id:
            ended = "cancelled"
        shown = 0
        if delta.get("message_id") == message_id:
            shown = int(delta.get("offset") or 0) + len(delta.get("text") or "")
        return Resume(ended, shown)

    async def _last(self, stream: str, on: str) -> dict[str, Any]:
        """The JSON body of the last message on subject ``on`` ({} if none or unreadable)."""
        try:
            raw = await self.js.get_msg(stream, subject=on, direct=True)
            body = json.loads(raw.data or b"{}")
        except NoRespondersError:  # no such stream: the progress stream died with a nats-server
            log.warning("stream %s is missing: no progress to resume from", stream)
            return {}
        except (NotFoundError, ValueError):
            return {}
        return body if isinstance(body, dict) else {}


def latest_component(component_id: str, events: list[tuple[int, Event]]) -> Component | None:
    """The component as the last of ``events`` (replies carrying it, its replacements) left it."""
    found: Component | None = None
    for _, event in sorted(events, key=lambda pair: pair[0]):
        if isinstance(event, MessageCompleted):
            found = next((c for c in event.components if c.id == component_id), found)
        elif isinstance(event, ComponentUpdated) and event.component_id == component_id and event.component:
            found = event.component.model_copy(update={"id": component_id})
    return found


__all__ = ("TURN_KINDS", "Gate", "Lock", "NatsGate", "Resume", "Turn", "bucket", "ensure_reply_progress")
