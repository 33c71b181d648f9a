"""The credentials the shipped demo files hold (deploy/demo): public, so production refuses every one of them."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

DEMO_DIR = Path(__file__).resolve().parent.parent / "deploy" / "demo"
DEMO_TENANTS = DEMO_DIR / "tenants.yaml"
DEMO_AGENTS = DEMO_DIR / "agents.yaml"
TENANT_SECRETS = ("widget_key", "identity_secret", "webhook_secret")


def _yaml_list(path: Path, key: str) -> list[dict[str, Any]]:
    if not path.is_file():  # an image without the demo files: nothing to compare against
        return []
    return list((yaml.safe_load(path.read_text()) or {}).get(key) or [])


def demo_tenant_secrets() -> dict[str, str]:
    """Every widget key, identity secret and webhook secret of the demo tenants -> what it is."""
    found: dict[str, str] = {}
    for tenant in _yaml_list(DEMO_TENANTS, "tenants"):
        places = [(tenant, ""), (tenant.get("handoff") or {}, "handoff.")]
        for section, prefix in places:
            for name in TENANT_SECRETS:
                if section.get(name):
                    found[str(section[name])] = f"the demo {prefix}{name} of tenant {tenant.get('id')!r}"
    return found


def demo_agent_token_hashes() -> set[str]:
    """The token hashes of the demo agents, and of every token following the demo pattern."""
    hashes = set()
    for agent in _yaml_list(DEMO_AGENTS, "agents"):
        hashes.add(str(agent.get("token_sha256")))
        hashes.add(hashlib.sha256(f"demo-{agent.get('tenant_id')}-{agent.get('id')}".encode()).hexdigest())
    return hashes


def demo_secrets_in_tenants(data: dict[str, Any]) -> list[str]:
    """Problems with a parsed tenants file: each demo credential it uses, named by tenant and field."""
    demo = demo_tenant_secrets()
    problems = []
    for tenant in data.get("tenants") or []:
        for section, prefix in ((tenant, ""), (tenant.get("handoff") or {}, "handoff.")):
            for name in TENANT_SECRETS:
                value = section.get(name)
                if value and str(value) in demo:
                    problems.append(f"tenant {tenant.get('id')!r} {prefix}{name} is {demo[str(value)]}")
    return problems


def refuse_demo_tenants(path: Path) -> None:
    """Raise ValueError naming each problem when the tenants file is missing or uses a demo credential."""
    if not path.is_file():
        raise ValueError(f"TENANTS_FILE {path} does not exist; production needs the real tenants file")
    problems = demo_secrets_in_tenants(yaml.safe_load(path.read_text()) or {})
    if problems:
        raise ValueError(
            f"TENANTS_FILE {path} holds public demo credentials, refused in production: " + "; ".join(problems)
        )


def demo_agent_logins(path: Path) -> list[tuple[str, str, str]]:
    """(name, tenant id, token) of each agent in ``path`` whose token is the public demo pattern.

    Only tokens whose stored hash matches are listed, so the banner never prints a wrong login.
    """
    logins = []
    for agent in _yaml_list(path, "agents"):
        token = f"demo-{agent.get('tenant_id')}-{agent.get('id')}"
        if hashlib.sha256(token.encode()).hexdigest() == agent.get("token_sha256"):
            logins.append((str(agent.get("name") or agent.get("id")), str(agent.get("tenant_id")), token))
    return logins
