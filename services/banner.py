"""What `make run` prints once everything is up: where to click first, how to log in, which model answers."""

from __future__ import annotations

import logging

from shared.settings import Settings

log = logging.getLogger(__name__)

READY_LINE = "Switchboard is ready"
DEV_BANNER = (
    "Development mode: SECRET_KEY, the demo agent tokens and the demo identity secret are public demo "
    "secrets; loopback only, never expose it (production refuses them)."
)


def tenant_names(settings: Settings) -> list[str]:
    from shared.tenants import load_tenants

    try:
        return [t.name for t in load_tenants(settings.tenants_file).tenants]
    except Exception as exc:  # the services report a broken file themselves
        log.debug("could not read %s for the banner: %r", settings.tenants_file, exc)
        return []


def agent_logins(settings: Settings) -> list[tuple[str, str, str]]:
    if settings.environment == "production":  # which refuses the demo agents anyway
        return []
    from handoff.config import HandoffSettings
    from shared.demo import demo_agent_logins

    return demo_agent_logins(HandoffSettings().agents_file)


def admin_key_hint(settings: Settings | None) -> str:
    """The demo admin key when it is the one that works (development, ADMIN_API_KEYS unset)."""
    if settings is None or settings.environment != "development":
        return ""
    from admin.config import DEMO_ADMIN_KEY, AdminSettings

    return f" (admin key {DEMO_ADMIN_KEY})" if AdminSettings().api_keys is None else " (a key of ADMIN_API_KEYS)"


def model_line(settings: Settings) -> str:
    if settings.llm_base_url:
        from shared.llm import default_model

        return (
            f"{default_model(settings)} at {settings.llm_base_url}, for every tenant without a model of its own"
            " (LLM_BASE_URL)"
        )
    return "offline answerer (replies built from the knowledge base); set LLM_BASE_URL for a real model"


def banner_lines(
    urls: dict[str, list[str]], nats_url: str, environment: str, settings: Settings | None = None
) -> list[str]:
    lines = [f"{READY_LINE}."]
    gateway = urls.get("gateway", [None])[0]
    handoff = urls.get("handoff", [None])[0]
    demo_pages = settings is None or settings.demo_pages
    if gateway and demo_pages:
        lines.append(f"  Widget demo:    {gateway}/demo")
        brands = tenant_names(settings) if settings is not None else []
        if brands:
            lines.append(f"  Brands:         {', '.join(brands)} (each styled from deploy/demo/tenants.yaml)")
    if handoff:
        lines.append(f"  Agent console:  {handoff}/console")
        logins = agent_logins(settings) if settings is not None else []
        for name, tenant, token in logins:
            lines.append(f"    {name} ({tenant}): token {token}")
        lines.append(f"  Admin page:     {handoff}/admin" + admin_key_hint(settings))
    if settings is not None:
        lines.append(f"  Model:          {model_line(settings)}")
    docs = ["README.md", "docs/"]
    if settings is None or settings.api_docs:
        docs += [f"{u}/docs" for u in (gateway, handoff) if u]
    lines.append(f"  Docs:           {', '.join(docs)}")
    if gateway and demo_pages:
        lines.append(f"  Protocol page:  {gateway}/ (the raw widget protocol, for developers)")
    lines.append(f"  NATS:           {nats_url}")
    if environment == "development":
        lines.append(DEV_BANNER)
    lines.append("Press Ctrl-C to stop.")
    return lines
