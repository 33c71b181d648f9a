"""Hot reload of tenant configuration: the admin API writes each tenant's JSON to a KV bucket after
committing it to the database; every service watches the bucket and updates its TenantDirectory in place.

A service starts from its tenants file (the seed), then applies every tenant the bucket holds (the
bucket wins) and each later change, usually within milliseconds of the admin API's answer. The bucket
only holds tenants the admin API owns; a file tenant never changed through the API is not in it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel

from shared.config_bucket import BucketFollower, open_config_bucket, put_versioned
from shared.subjects import TENANTS_BUCKET
from shared.tenants import Tenant, TenantDirectory

if TYPE_CHECKING:
    from nats.js import JetStreamContext
    from nats.js.kv import KeyValue

log = logging.getLogger(__name__)

# (before, after): None before for a new tenant, None after for a deleted key.
Listener = Callable[[Tenant | None, Tenant | None], None]


async def open_tenants_bucket(js: JetStreamContext) -> KeyValue:
    return await open_config_bucket(js, TENANTS_BUCKET, "Each tenant's current configuration (JSON), by the admin API.")


class TenantEntry(BaseModel):
    """One key's value: the configuration and the database row's version it was read at."""

    version: int
    tenant: Tenant


async def publish_tenant(kv: KeyValue, tenant: Tenant, version: int) -> bool:
    """Make ``tenant`` (at row ``version``) every service's configuration, unless a newer version is there."""
    value = TenantEntry(version=version, tenant=tenant).model_dump_json().encode()
    return await put_versioned(kv, tenant.id, value, version)


class TenantSync(BucketFollower):
    """Keeps one service's TenantDirectory equal to the seed file overlaid with the tenants bucket."""

    name = "tenant-sync"

    def __init__(self, kv: KeyValue, directory: TenantDirectory) -> None:
        super().__init__(kv)
        self.directory = directory
        self.listeners: list[Listener] = []

    @classmethod
    async def follow(cls, js: JetStreamContext, directory: TenantDirectory) -> TenantSync:
        """Apply what the bucket holds now, then follow its changes in the background."""
        sync = cls(await open_tenants_bucket(js), directory)
        await sync.start()
        return sync

    async def wait_for(self, predicate: Callable[[TenantDirectory], bool], timeout: float = 5.0) -> float:
        """Wait until ``predicate(directory)`` holds; the seconds it took. TimeoutError after ``timeout``."""
        return await self.until(lambda: predicate(self.directory), timeout)

    def apply(self, key: str, value: bytes | None) -> None:
        before = self.directory.by_id(key)
        after: Tenant | None = None
        if value is None:
            self.directory.drop(key)
        else:
            try:
                after = TenantEntry.model_validate_json(value).tenant
            except ValueError as exc:  # written by a newer build, or by hand: skipped, never fatal
                log.warning("skipping unreadable tenant %s in %s: %s", key, TENANTS_BUCKET, exc)
                return
            self.directory.put(after)
        for listener in self.listeners:
            try:
                listener(before, after)
            except Exception:
                log.exception("tenant change listener failed")
