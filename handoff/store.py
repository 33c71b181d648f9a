"""Conversation records, their summaries (summaries.py), agent presence and the conversation mode, in NATS KV.

Every replica keeps a local view of the whole ``sb_handoff`` bucket, fed by a KV watch, so
listing the queue is a memory read and every change reaches every replica's agent sockets.
Writes go to KV with compare-and-set on the revision the record was read at: two agents
claiming at once both read revision N, one update lands, the other gets ``Conflict``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from nats.js.errors import (
    KeyDeletedError,
    KeyNotFoundError,
    KeyWrongLastSequenceError,
)

from handoff.records import AgentPresence, ConversationRecord
from handoff.summaries import ConversationSummary, summary_key
from shared.aio import stop_tasks
from shared.config_bucket import open_config_bucket
from shared.events.handoff import ConversationState
from shared.subjects import CONVERSATION_STATE_BUCKET, HANDOFF_BUCKET, handoff_record_key, mode_key

if TYPE_CHECKING:
    from nats.js import JetStreamContext
    from nats.js.kv import KeyValue

log = logging.getLogger(__name__)

_CONV, _AGENT, _SUMMARY = "conv", "agent", "sum"

Listener = Callable[[ConversationRecord | AgentPresence | ConversationSummary], None]


class Conflict(Exception):
    """Someone else changed the record since it was read."""


def conversation_key(tenant_id: str, conversation_id: str) -> str:
    return handoff_record_key(tenant_id, conversation_id)


def agent_key(tenant_id: str, agent_id: str) -> str:
    return f"{_AGENT}.{tenant_id}.{agent_id}"


def reservations_key(tenant_id: str, agent_id: str) -> str:
    return f"load.{tenant_id}.{agent_id}"


class HandoffStore:
    def __init__(self, kv: KeyValue, modes: KeyValue) -> None:
        self.kv = kv
        self.modes = modes
        self.conversations: dict[tuple[str, str], ConversationRecord] = {}
        self.agents: dict[tuple[str, str], AgentPresence] = {}
        self.summaries: dict[tuple[str, str], ConversationSummary] = {}
        self.listeners: list[Listener] = []
        self._watch_task: asyncio.Task[None] | None = None
        self._watcher: KeyValue.KeyWatcher | None = None

    @classmethod
    async def open(cls, js: JetStreamContext) -> HandoffStore:
        kv = await open_config_bucket(js, HANDOFF_BUCKET, "Handoff conversation records and agent presence.")
        modes = await open_config_bucket(js, CONVERSATION_STATE_BUCKET, "Conversation state shared by services.")
        return cls(kv, modes)

    # -- the local view -------------------------------------------------------------
    async def start(self) -> None:
        """Load every record, then follow changes in the background."""
        self._watcher = await self.kv.watchall()
        while (entry := await self._watcher.updates(timeout=30)) is not None:
            self._apply_logged(entry)
        self._watch_task = asyncio.create_task(self._follow(), name="handoff-kv-watch")

    async def rewatch(self) -> None:
        """Start a fresh watch: after a NATS restart the old (ephemeral) watch consumer is gone."""
        await self.stop()
        await self.start()

    async def stop(self) -> None:
        await stop_tasks(self._watch_task)
        if self._watcher is not None:
            with contextlib.suppress(Exception):
                await self._watcher.stop()

    async def _follow(self) -> None:
        assert self._watcher is not None
        async for entry in self._watcher:
            if entry is not None:
                self._apply_logged(entry)

    def _apply_logged(self, entry: KeyValue.Entry) -> None:
        """Apply one entry; a record this build cannot read is logged and skipped, never fatal."""
        try:
            self._apply(entry)
        except Exception as exc:
            log.warning("skipping unreadable handoff record %s: %s", getattr(entry, "key", "?"), exc)

    def _apply(self, entry: KeyValue.Entry) -> None:
        kind, _, rest = entry.key.partition(".")
        tenant_id, _, ident = rest.partition(".")
        deleted = entry.operation in ("DEL", "PURGE") or not entry.value
        if kind == _CONV:
            self._merge(self.conversations, (tenant_id, ident), ConversationRecord, entry, deleted)
        elif kind == _AGENT:
            self._merge(self.agents, (tenant_id, ident), AgentPresence, entry, deleted)
        elif kind == _SUMMARY:
            self._merge(self.summaries, (tenant_id, ident), ConversationSummary, entry, deleted)

    def _merge(
        self,
        cache: dict,
        key: tuple[str, str],
        model: type[ConversationRecord] | type[AgentPresence] | type[ConversationSummary],
        entry: KeyValue.Entry,
        deleted: bool,
    ) -> None:
        current = cache.get(key)
        if current is not None and current.revision >= entry.revision:
            return  # our own write already applied it (or a newer one)
        if deleted or entry.value is None:
            cache.pop(key, None)
            return
        value = model.model_validate_json(entry.value)
        value.revision = entry.revision or 0
        self._remember(cache, key, value)

    def _remember(
        self, cache: dict, key: tuple[str, str], value: ConversationRecord | AgentPresence | ConversationSummary
    ) -> None:
        current = cache.get(key)
        if current is not None and current.revision >= value.revision:
            return
        cache[key] = value
        for listener in list(self.listeners):
            try:
                listener(value)
            except Exception:
                log.exception("handoff store listener failed")

    def of_tenant(self, tenant_id: str, state: ConversationState | None = None) -> list[ConversationRecord]:
        return [r for (t, _), r in self.conversations.items() if t == tenant_id and (state is None or r.state == state)]

    def queue(self, tenant_id: str) -> list[ConversationRecord]:
        """Queued conversations, longest waiting first."""
        return sorted(self.of_tenant(tenant_id, "queued"), key=lambda r: (r.queued_at or r.updated_at, r.revision))

    def agents_of(self, tenant_id: str) -> list[AgentPresence]:
        return [a for (t, _), a in self.agents.items() if t == tenant_id]

    def loads(self, tenant_id: str) -> dict[str, int]:
        loads: dict[str, int] = {}
        for r in self.of_tenant(tenant_id, "assigned"):
            if r.agent_id:
                loads[r.agent_id] = loads.get(r.agent_id, 0) + 1
        return loads

    # -- reads and writes against KV -------------------------------------------------
    async def load_conversation(self, tenant_id: str, conversation_id: str) -> ConversationRecord | None:
        try:
            entry = await self.kv.get(conversation_key(tenant_id, conversation_id))
        except (KeyNotFoundError, KeyDeletedError):
            return None
        if not entry.value:
            return None
        record = ConversationRecord.model_validate_json(entry.value)
        record.revision = entry.revision or 0
        return record

    async def save_conversation(self, record: ConversationRecord) -> ConversationRecord:
        """Store ``record`` if nobody wrote since it was read at ``record.revision`` (0: must not exist)."""
        key = conversation_key(record.tenant_id, record.conversation_id)
        data = record.model_dump(mode="json", exclude={"revision"})
        if record.outbox:
            data["outbox"] = record.outbox  # excluded from every other dump
        value = json.dumps(data).encode()
        try:
            if record.revision:
                revision = await self.kv.update(key, value, last=record.revision)
            else:
                revision = await self.kv.create(key, value)
        except KeyWrongLastSequenceError as e:
            raise Conflict(f"conversation {record.conversation_id} changed since revision {record.revision}") from e
        saved = record.model_copy(update={"revision": revision})
        self._remember(self.conversations, (record.tenant_id, record.conversation_id), saved)
        return saved

    async def load_summary(self, tenant_id: str, conversation_id: str) -> ConversationSummary | None:
        try:
            entry = await self.kv.get(summary_key(tenant_id, conversation_id))
        except (KeyNotFoundError, KeyDeletedError):
            return None
        if not entry.value:
            return None
        summary = ConversationSummary.model_validate_json(entry.value)
        summary.revision = entry.revision or 0
        return summary

    async def save_summary(self, summary: ConversationSummary) -> ConversationSummary | None:
        """Store ``summary`` if unchanged since it was read; None if someone else wrote first."""
        key = summary_key(summary.tenant_id, summary.conversation_id)
        value = summary.model_dump_json().encode()
        try:
            if summary.revision:
                revision = await self.kv.update(key, value, last=summary.revision)
            else:
                revision = await self.kv.create(key, value)
        except KeyWrongLastSequenceError:
            return None
        saved = summary.model_copy(update={"revision": revision})
        self._remember(self.summaries, (summary.tenant_id, summary.conversation_id), saved)
        return saved

    def with_outbox(self) -> list[ConversationRecord]:
        """Records whose transition events may not all be published yet."""
        return [r for r in self.conversations.values() if r.outbox]

    async def set_mode(self, tenant_id: str, conversation_id: str, mode: str) -> None:
        await self.modes.put(mode_key(tenant_id, conversation_id), mode.encode())

    async def all_modes(self) -> dict[tuple[str, str], bytes]:
        """Every mode key's value, read through one watch (fast even with many conversations)."""
        modes: dict[tuple[str, str], bytes] = {}
        watcher = await self.modes.watch("mode.>", ignore_deletes=True)
        try:
            while (entry := await watcher.updates(timeout=30)) is not None:
                _, tenant_id, conversation_id = entry.key.split(".", 2)
                modes[(tenant_id, conversation_id)] = entry.value or b""
        finally:
            await watcher.stop()
        return modes

    async def repair_modes(self, mode_of: Callable[[ConversationRecord], str]) -> int:
        """Rewrite mode keys that disagree with their record (a replica died between the two writes)."""
        modes = await self.all_modes()
        repaired = 0
        for key, record in list(self.conversations.items()):
            if modes.get(key, b"ai") != mode_of(record).encode():
                await self.set_mode(record.tenant_id, record.conversation_id, mode_of(record))
                repaired += 1
        if repaired:
            log.warning("repaired %d conversation mode keys", repaired)
        return repaired

    async def get_mode(self, tenant_id: str, conversation_id: str) -> ConversationState:
        try:
            entry = await self.modes.get(mode_key(tenant_id, conversation_id))
        except (KeyNotFoundError, KeyDeletedError):
            return "ai"
        return (entry.value or b"ai").decode()  # type: ignore[return-value]

    async def load_reservations(self, tenant_id: str, agent_id: str) -> tuple[dict[str, datetime], int]:
        """The agent's slot reservations (conversation id -> when) and the revision they were read at."""
        try:
            entry = await self.kv.get(reservations_key(tenant_id, agent_id))
        except (KeyNotFoundError, KeyDeletedError):
            return {}, 0  # never deleted: create() takes the first reservation
        raw = json.loads(entry.value or b"{}")
        return {c: datetime.fromisoformat(at) for c, at in raw.items()}, entry.revision or 0

    async def save_reservations(
        self, tenant_id: str, agent_id: str, reserved: dict[str, datetime], revision: int
    ) -> None:
        """Compare-and-set on ``revision`` (0: must not exist); Conflict if another replica wrote first."""
        key = reservations_key(tenant_id, agent_id)
        value = json.dumps({c: at.isoformat() for c, at in reserved.items()}).encode()
        try:
            if revision:
                await self.kv.update(key, value, last=revision)
            else:
                await self.kv.create(key, value)
        except KeyWrongLastSequenceError as e:
            raise Conflict(f"reservations of agent {agent_id} changed since revision {revision}") from e

    async def load_agent(self, tenant_id: str, agent_id: str) -> AgentPresence | None:
        try:
            entry = await self.kv.get(agent_key(tenant_id, agent_id))
        except (KeyNotFoundError, KeyDeletedError):
            return None
        if not entry.value:
            return None
        presence = AgentPresence.model_validate_json(entry.value)
        presence.revision = entry.revision or 0
        return presence

    async def save_agent(self, presence: AgentPresence) -> AgentPresence:
        """Last write wins: presence is refreshed often and only its owner and the sweeper write it."""
        revision = await self.kv.put(
            agent_key(presence.tenant_id, presence.agent_id), presence.model_dump_json(exclude={"revision"}).encode()
        )
        saved = presence.model_copy(update={"revision": revision})
        self._remember(self.agents, (presence.tenant_id, presence.agent_id), saved)
        return saved
