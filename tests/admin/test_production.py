"""In production the admin API refuses the shipped demo credentials, as the tenants file check does."""

from __future__ import annotations

import nats
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin import changes
from admin.context import Admin
from shared.demo import demo_tenant_secrets
from shared.tenant_sync import open_tenants_bucket
from shared.tenants import Tenant
from tests.admin.conftest import new_tenant_id

pytestmark = pytest.mark.connected


async def test_a_demo_widget_key_is_refused_in_production_only(
    db_sessions: async_sessionmaker[AsyncSession], nats_client: nats.NATS
) -> None:
    # An identity secret, not a widget key: a demo widget key in the shared bucket would shadow other tests' tenants.
    demo = next(secret for secret, what in demo_tenant_secrets().items() if what.startswith("the demo identity_secret"))
    kv = await open_tenants_bucket(nats_client.jetstream())
    production = Admin(sessions=db_sessions, kv=kv, agents_kv=kv, keys={}, refuse_demo_secrets=True)
    tenant = Tenant(id=new_tenant_id(), name="Prod", widget_key="pk_demo_test", identity_secret=demo)
    with pytest.raises(changes.DemoSecret, match="identity_secret is the demo identity_secret"):
        await changes.create(production, "ops", tenant)

    fine = Tenant(id=tenant.id, name="Prod", widget_key="pk_" + tenant.id, identity_secret="a-real-secret")
    await changes.create(production, "ops", fine)
    with pytest.raises(changes.DemoSecret):
        await changes.change(production, "ops", tenant.id, "tenant.update", lambda c: {**c, "identity_secret": demo})
    try:
        development = Admin(sessions=db_sessions, kv=kv, agents_kv=kv, keys={})
        _, changed = await changes.change(
            development, "dev", tenant.id, "tenant.update", lambda c: {**c, "identity_secret": demo}
        )
        assert changed.identity_secret == demo
    finally:
        await kv.delete(tenant.id)
