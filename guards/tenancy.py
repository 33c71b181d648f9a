"""Tenant lookup for the guards: an unknown tenant gets the default rules rather than none."""

from __future__ import annotations

from nats.js import JetStreamContext

from shared.settings import Settings
from shared.tenant_sync import TenantSync
from shared.tenants import GuardPolicy, HandoffRules, TenantDirectory, cached_tenants


class TenantRules:
    def __init__(self, directory: TenantDirectory) -> None:
        self.directory = directory
        self.sync: TenantSync | None = None

    async def follow(self, js: JetStreamContext) -> None:
        """Keep the directory current with the admin API's changes (shared.tenant_sync)."""
        if self.sync is None:
            self.sync = await TenantSync.follow(js, self.directory)

    async def aclose(self) -> None:
        if self.sync is not None:
            await self.sync.stop()
            self.sync = None

    @classmethod
    def from_settings(cls, settings: Settings) -> TenantRules:
        try:
            return cls(cached_tenants(settings.tenants_file))
        except FileNotFoundError:
            return cls(TenantDirectory(tenants=[]))

    def guard(self, tenant_id: str) -> GuardPolicy:
        tenant = self.directory.by_id(tenant_id)
        return tenant.guard if tenant else GuardPolicy()

    def handoff(self, tenant_id: str) -> HandoffRules:
        tenant = self.directory.by_id(tenant_id)
        return tenant.handoff if tenant else HandoffRules()

    def known_names(self, tenant_id: str) -> frozenset[str]:
        """Names a reply may use without a source: the business's and the assistant's own."""
        tenant = self.directory.by_id(tenant_id)
        if tenant is None:
            return frozenset()
        return frozenset(w.lower() for w in f"{tenant.name} {tenant.assistant_name}".split())
