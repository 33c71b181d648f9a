"""The orchestrator's per-tenant model client follows the tenant's model configuration as it changes (admin API)."""

from __future__ import annotations

from orchestrator.app import build_orchestrator
from orchestrator.config import OrchestratorSettings
from shared.bus import make_broker
from shared.settings import Settings
from shared.tenants import Tenant


def tenant(**model: object) -> Tenant:
    return Tenant.model_validate({"id": "acme", "name": "Acme", "widget_key": "pk_acme", "model": model})


async def test_a_changed_model_gets_a_new_client_an_unchanged_one_keeps_its_own(settings: Settings) -> None:
    with_model = settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "base"})
    orch = build_orchestrator(with_model, make_broker(with_model), OrchestratorSettings())
    try:
        first = orch.provider_for(tenant())
        assert orch.provider_for(tenant()) is first
        changed = orch.provider_for(tenant(model="bigger"))
        assert changed is not first
        assert orch.provider_for(tenant(provider="offline")) not in (first, changed)
    finally:
        await orch.aclose()
