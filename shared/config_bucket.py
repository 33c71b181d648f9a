"""Configuration pushed through NATS KV: a versioned value per key, written by compare-and-set, and a
follower that applies every key's current value, then each change, to a service's in-memory view.

Used for tenants (shared.tenant_sync, every service) and agent accounts (handoff.agent_sync).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

import nats.errors
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import (
    BadRequestError,
    BucketNotFoundError,
    KeyDeletedError,
    KeyNotFoundError,
    KeyWrongLastSequenceError,
)

from shared.aio import stop_tasks
from shared.bus import nats_replicas

if TYPE_CHECKING:
    from nats.js import JetStreamContext
    from nats.js.kv import KeyValue

log = logging.getLogger(__name__)

INITIAL_WAIT_S = 30.0  # longest wait for the next of the bucket's current values at start

# Every started follower of this process, restarted by rewatch_all() after a NATS reconnect.
FOLLOWERS: weakref.WeakSet[BucketFollower] = weakref.WeakSet()
_REWATCHING: set[asyncio.Task[None]] = set()


def rewatch_all() -> None:
    """Restart every follower's watch in the background: a NATS restart loses the (ephemeral) watch
    consumers, and a follower would silently stop seeing changes. Called by shared.bus on reconnect."""
    for follower in list(FOLLOWERS):
        task = asyncio.create_task(follower.rewatch_logged(), name=f"{follower.name}-rewatch")
        _REWATCHING.add(task)
        task.add_done_callback(_REWATCHING.discard)


async def open_config_bucket(js: JetStreamContext, name: str, description: str) -> KeyValue:
    """Bind to a KV bucket (history 1, file storage, NATS_REPLICAS), creating it if missing; another
    service may create it at the same moment. Every service opens its shared buckets through this."""
    try:
        return await js.key_value(name)
    except BucketNotFoundError:
        pass
    try:
        return await js.create_key_value(
            KeyValueConfig(
                bucket=name, description=description, history=1, storage=StorageType.FILE, replicas=nats_replicas()
            )
        )
    except BadRequestError:
        return await js.key_value(name)


async def put_versioned(kv: KeyValue, key: str, value: bytes, version: int) -> bool:
    """Store ``value`` (a JSON object with a ``version``) unless the key holds that version or a newer one.

    Compare-and-set on the key's revision: replicas publishing changes out of order never leave an
    older one in the bucket. False when a newer (or the same) version was already there.
    """
    while True:
        try:
            current = await kv.get(key)
        except (KeyNotFoundError, KeyDeletedError):
            current = None
        if current is not None and current.value and version_of(current.value) >= version:
            return False
        try:
            if current is None:
                await kv.create(key, value)
            else:
                await kv.update(key, value, last=current.revision)
            return True
        except KeyWrongLastSequenceError:
            continue  # another replica wrote meanwhile: look again


def version_of(value: bytes) -> int:
    try:
        return int(json.loads(value).get("version", -1))
    except (ValueError, AttributeError, TypeError):
        return -1


class BucketFollower:
    """Applies a bucket's current values, then every change, through ``apply`` (key, value or None if deleted)."""

    name = "bucket-follower"

    def __init__(self, kv: KeyValue) -> None:
        self.kv = kv
        self._changed = asyncio.Event()
        self._watcher: KeyValue.KeyWatcher | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False  # stop() was called: never watch again

    def apply(self, key: str, value: bytes | None) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        """Apply every value the bucket holds now, then follow it in the background.

        Up to the stream's last sequence as read after subscribing, not up to nats-py's "initial
        values done" marker: the library puts that marker in the queue as soon as the server
        counts nothing pending, which can be before entries already on their way are queued
        (a service then started without a value the bucket held).
        """
        self._watcher = await self.kv.watchall()
        state = (await self.kv.status()).stream_info.state
        through = state.last_seq if state.messages else 0
        try:
            while through:
                entry = await self._watcher.updates(timeout=INITIAL_WAIT_S)
                if entry is None:
                    continue  # the library's marker, possibly early (above)
                self._on_entry(entry)
                if (entry.revision or 0) >= through:
                    break
        except nats.errors.TimeoutError:
            log.warning("%s: the bucket's values up to seq %d did not all arrive; following on", self.name, through)
        self._task = asyncio.create_task(self._follow(), name=self.name)
        FOLLOWERS.add(self)
        if self._closed:  # stopped while this (re)start was under way
            await self._halt()

    async def rewatch(self) -> None:
        """Start a fresh watch: after a NATS restart the old (ephemeral) watch consumer is gone."""
        await self._halt()
        if not self._closed:
            await self.start()

    async def rewatch_logged(self, attempts: int = 60, pause_s: float = 0.5) -> None:
        """rewatch(), tried again while JetStream is still recovering after the restart."""
        for attempt in range(1, attempts + 1):
            if self._closed:
                return
            try:
                await self.rewatch()
                return
            except Exception as exc:
                if attempt == attempts:
                    log.exception("%s: could not watch the bucket again after a reconnect", self.name)
                    return
                log.debug("%s: watching again failed (%r), retrying", self.name, exc)
                await asyncio.sleep(pause_s)

    async def stop(self) -> None:
        self._closed = True
        await self._halt()

    async def _halt(self) -> None:
        FOLLOWERS.discard(self)
        await stop_tasks(self._task)
        if self._watcher is not None:
            with contextlib.suppress(Exception):
                await self._watcher.stop()

    async def until(self, condition: Callable[[], bool], timeout: float = 5.0) -> float:
        """Wait until ``condition()`` holds; the seconds it took. TimeoutError after ``timeout``."""
        started = time.perf_counter()
        async with asyncio.timeout(timeout):
            while not condition():
                await self._changed.wait()
        return time.perf_counter() - started

    async def _follow(self) -> None:
        assert self._watcher is not None
        async for entry in self._watcher:
            if entry is not None:
                self._on_entry(entry)

    def _on_entry(self, entry: KeyValue.Entry) -> None:
        deleted = entry.operation in ("DEL", "PURGE") or not entry.value
        self.apply(entry.key, None if deleted else entry.value)
        self._changed.set()
        self._changed = asyncio.Event()
