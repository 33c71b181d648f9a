"""Hot reload of tenant configuration: the admin API writes each tenant's JSON to a KV bucket after
committing it to the database; every service watches the bucket and updates its TenantDirectory in place.

A service starts from its tenants file (the seed), then applies every tenant the bucket holds (the
bucket wins) and each later change, usually within milliseconds of the admin API's answer. The bucket
only holds tenants the admin API owns; a file tenant never changed through the API is not in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import (
    BadRequestError,
    BucketNotFoundError,
    KeyDeletedError,
    KeyNotFoundError,
    KeyWrongLastSequenceError,
)
from pydantic import BaseModel

from shared.aio import stop_tasks
from shared.bus import nats_replicas
from shared.subjects import TENANTS_BUCKET
from shared.tenants import Tenant, TenantDirectory

if TYPE_CHECKING:
    from nats.js import JetStreamContext
    from nats.js.kv import KeyValue

log = logging.getLogger(__name__)

# (before, after): None before for a new tenant, None after for a deleted key.
Listener = Callable[[Tenant | None, Tenant | None], None]


async def open_tenants_bucket(js: JetStreamContext) -> KeyValue:
    """Bind to the tenants bucket, creating it if missing (another service may create it at the same moment)."""
    try:
        return await js.key_value(TENANTS_BUCKET)
    except BucketNotFoundError:
        pass
    try:
        return await js.create_key_value(
            KeyValueConfig(
                bucket=TENANTS_BUCKET,
                description="Each tenant's current configuration (JSON), written by the admin API.",
                history=1,
                storage=StorageType.FILE,
                replicas=nats_replicas(),
            )
        )
    except BadRequestError:
        return await js.key_value(TENANTS_BUCKET)


class TenantEntry(BaseModel):
    """One key's value: the configuration and the database row's version it was read at."""

    version: int
    tenant: Tenant


async def publish_tenant(kv: KeyValue, tenant: Tenant, version: int) -> bool:
    """Make ``tenant`` (at row ``version``) every service's configuration, unless a newer version is there.

    Compare-and-set on the key's revision: two replicas publishing changes out of order never leave
    the older one in the bucket. False when a newer version was already published.
    """
    value = TenantEntry(version=version, tenant=tenant).model_dump_json().encode()
    while True:
        try:
            current = await kv.get(tenant.id)
        except (KeyNotFoundError, KeyDeletedError):
            current = None
        if current is not None and current.value and _version_of(current.value) >= version:
            return False
        try:
            if current is None:
                await kv.create(tenant.id, value)
            else:
                await kv.update(tenant.id, value, last=current.revision)
            return True
        except KeyWrongLastSequenceError:
            continue  # another replica wrote meanwhile: look again


def _version_of(value: bytes) -> int:
    try:
        return int(json.loads(value).get("version", -1))
    except (ValueError, AttributeError, TypeError):
        return -1


class TenantSync:
    """Keeps one service's TenantDirectory equal to the seed file overlaid with the tenants bucket."""

    def __init__(self, kv: KeyValue, directory: TenantDirectory) -> None:
        self.kv = kv
        self.directory = directory
        self.listeners: list[Listener] = []
        self._changed = asyncio.Event()
        self._watcher: KeyValue.KeyWatcher | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def follow(cls, js: JetStreamContext, directory: TenantDirectory) -> TenantSync:
        """Apply what the bucket holds now, then follow its changes in the background."""
        sync = cls(await open_tenants_bucket(js), directory)
        await sync.start()
        return sync

    async def start(self) -> None:
        self._watcher = await self.kv.watchall()
        while (entry := await self._watcher.updates(timeout=30)) is not None:
            self._apply(entry)
        self._task = asyncio.create_task(self._follow(), name="tenant-sync")

    async def rewatch(self) -> None:
        """Start a fresh watch: after a NATS restart the old (ephemeral) watch consumer is gone."""
        await self.stop()
        await self.start()

    async def stop(self) -> None:
        await stop_tasks(self._task)
        if self._watcher is not None:
            with contextlib.suppress(Exception):
                await self._watcher.stop()

    async def wait_for(self, predicate: Callable[[TenantDirectory], bool], timeout: float = 5.0) -> float:
        """Wait until ``predicate(directory)`` holds; the seconds it took. TimeoutError after ``timeout``."""
        started = time.perf_counter()
        async with asyncio.timeout(timeout):
            while not predicate(self.directory):
                await self._changed.wait()
        return time.perf_counter() - started

    async def _follow(self) -> None:
        assert self._watcher is not None
        async for entry in self._watcher:
            if entry is not None:
                self._apply(entry)

    def _apply(self, entry: KeyValue.Entry) -> None:
        before = self.directory.by_id(entry.key)
        after: Tenant | None = None
        if entry.operation in ("DEL", "PURGE") or not entry.value:
            self.directory.drop(entry.key)
        else:
            try:
                after = TenantEntry.model_validate_json(entry.value).tenant
            except ValueError as exc:  # written by a newer build, or by hand: skipped, never fatal
                log.warning("skipping unreadable tenant %s in %s: %s", entry.key, TENANTS_BUCKET, exc)
                return
            self.directory.put(after)
        for listener in self.listeners:
            try:
                listener(before, after)
            except Exception:
                log.exception("tenant change listener failed")
        self._changed.set()
        self._changed = asyncio.Event()
