"""shared.tenant_sync: a service's directory follows the tenants bucket (puts, deletes, unreadable values)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import nats
import nats.errors
import nats.js.errors
import pytest
from nats.js import JetStreamContext

from services.nats_embedded import EmbeddedNats
from shared.bus import make_broker
from shared.settings import Settings
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


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A server of this test's own: restarting the shared one would disturb other tests."""
    server = EmbeddedNats(store_dir=tmp_path / "js", log_file=tmp_path / "nats.log")
    server.start()
    yield server
    server.stop()


async def _publish_when_ready(js: JetStreamContext, value: Tenant, version: int) -> None:
    """Publish once JetStream has recovered its buckets after the restart (bounded retries)."""
    for _ in range(100):
        try:
            kv = await open_tenants_bucket(js)
            await publish_tenant(kv, value, version)
            return
        except (nats.errors.Error, nats.js.errors.Error, TimeoutError):
            continue
    raise AssertionError("Expected JetStream to accept a write after the restart, it never did")


async def test_a_follower_keeps_following_after_a_nats_restart(own_nats: EmbeddedNats, settings: Settings) -> None:
    broker = make_broker(settings.model_copy(update={"nats_url": own_nats.url}))
    await broker.connect()
    sync = await TenantSync.follow(broker.config.connection_state.stream, TenantDirectory(tenants=[]))
    try:
        own_nats.stop()
        own_nats.start()
        async with contextlib.AsyncExitStack() as stack:
            writer = await nats.connect(own_nats.url)
            stack.push_async_callback(writer.drain)
            await _publish_when_ready(writer.jetstream(), tenant("after", name="After the restart"), 1)
            await sync.wait_for(lambda d: d.by_id("after") is not None, timeout=10)
    finally:
        await sync.stop()
        await broker.stop()
