"""The one switch for a real model: LLM_BASE_URL (+ LLM_API_KEY, LLM_MODEL).

Set, it answers for every tenant whose ``model.provider`` is not given (or is ``openai``); a
tenant with ``provider: offline`` keeps the offline answerer. Unset, everything is offline.
"""

from __future__ import annotations

from shared.settings import Settings
from shared.tenants import Tenant

DEFAULT_MODEL = "gpt-4o-mini"


def default_model(settings: Settings) -> str:
    return settings.llm_model or DEFAULT_MODEL


def uses_real_model(settings: Settings, tenant: Tenant) -> bool:
    """Whether ``tenant``'s turns go to the configured OpenAI-compatible endpoint."""
    if not settings.llm_base_url:
        return False
    return tenant.model.provider in (None, "openai")


def model_of(settings: Settings, tenant: Tenant) -> str:
    return tenant.model.model or default_model(settings)
