"""Everything a handoff operation needs, built once by the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from handoff.agents import AgentDirectory
from handoff.config import HandoffSettings
from handoff.store import HandoffStore
from shared.settings import Settings
from shared.tenants import Tenant, TenantDirectory

if TYPE_CHECKING:
    import asyncio

    from faststream.nats import NatsBroker


class UnknownTenant(LookupError):
    pass


@dataclass
class Handoff:
    settings: Settings
    config: HandoffSettings
    broker: NatsBroker
    store: HandoffStore
    tenants: TenantDirectory
    agents: AgentDirectory
    # one lock per tenant: auto-assignment in one replica never races itself
    assign_locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def tenant(self, tenant_id: str) -> Tenant:
        tenant = self.tenants.by_id(tenant_id)
        if tenant is None:
            raise UnknownTenant(f"Expected a configured tenant id, got {tenant_id!r}")
        return tenant
