"""shared.tenant_sync: a service's directory follows the tenants bucket (puts, deletes, unreadable values)."""

from __future__ import annotations

import uuid

import nats
import pytest

from shared.tenant_sync import TenantEntry, TenantSync, open_tenants_bucket, publish_tenant
from shared.tenants import Tenant, TenantDirectory

pytestmark = pytest.mark.connected


def tenant(tenant_id: str, **fields: object) -> Tenant:
    return Tenant.model_validate({"id": tenant_id, "name": "Co", "widget_key": f"pk_{tenant_id}", **fields})


async def test_a_directory_starts_with_the_bucket_and_follows_it(nats_client: nats.NATS) -> None:
    js = nats_client.jetstream()
    kv = await open_tenants_bucket(js)
    seeded, published = f"s{uuid.uuid4().hex[:10]}", f"p{uuid.uuid4().hex[:10]}"
    assert await publish_tenant(kv, tenant(published, name="From the bucket"), 1)
    directory = TenantDirectory(tenants=[tenant(seeded), tenant(published, name="From the file")])
    changes: list[tuple[str | None, str | None]] = []

    sync = await TenantSync.follow(js, directory)
    sync.listeners.append(lambda before, after: changes.append((before and before.name, after and after.name)))
    try:
        assert directory.by_id(published).name == "From the bucket"  # type: ignore[union-attr]  # bucket wins
        assert directory.by_id(seeded) is not None  # a file tenant the bucket lacks stays

        assert await publish_tenant(kv, tenant(seeded, disabled=True), 3)
        await sync.wait_for(lambda d: d.by_id(seeded).disabled)  # type: ignore[union-attr]
        assert changes == [("Co", "Co")]
        # A replica publishing an older version late (out of order) leaves the newer one in place.
        assert not await publish_tenant(kv, tenant(seeded, disabled=False), 2)
        assert not await publish_tenant(kv, tenant(seeded, disabled=False), 3)
        assert (await kv.get(seeded)).value == TenantEntry(
            version=3, tenant=tenant(seeded, disabled=True)
        ).model_dump_json().encode()

        await kv.put(published, b"{not json")  # skipped, logged: the last good config stays
        await kv.delete(seeded)
        await sync.wait_for(lambda d: d.by_id(seeded) is None)
        assert directory.by_id(published).name == "From the bucket"  # type: ignore[union-attr]
        assert changes[-1] == ("Co", None)
    finally:
        await sync.stop()
        await kv.delete(published)


async def test_wait_for_times_out_when_nothing_changes(nats_client: nats.NATS) -> None:
    sync = await TenantSync.follow(nats_client.jetstream(), TenantDirectory(tenants=[]))
    try:
        with pytest.raises(TimeoutError):
            await sync.wait_for(lambda d: d.by_id("never") is not None, timeout=0.2)
    finally:
        await sync.stop()
