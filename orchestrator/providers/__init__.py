"""Model providers behind one interface, and the rule choosing one per tenant."""

from __future__ import annotations

from orchestrator.providers.base import ChatMessage, Provider
from orchestrator.providers.offline import OfflineProvider
from orchestrator.providers.openai_provider import OpenAIProvider
from shared.llm import model_of, uses_real_model
from shared.settings import Settings
from shared.tenants import Tenant


def choose_provider(settings: Settings, tenant: Tenant, offline: Provider | None = None) -> Provider:
    """OpenAI-compatible when LLM_BASE_URL is set and the tenant does not insist on offline; else offline."""
    if settings.llm_base_url and uses_real_model(settings, tenant):
        model = model_of(settings, tenant)
        return OpenAIProvider(
            settings.llm_base_url,
            settings.llm_api_key,
            model,
            timeout_s=settings.llm_timeout_s,
            embedding_model=settings.llm_embedding_model,
        )
    return offline or OfflineProvider()


__all__ = ("ChatMessage", "OfflineProvider", "OpenAIProvider", "Provider", "choose_provider")
