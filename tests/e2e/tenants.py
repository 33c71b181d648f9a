"""Tenant files for end-to-end tests: the demo tenants with some fields overridden."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from shared.settings import REPO_ROOT

# Load generators open thousands of sessions and sockets from one loopback address: the abuse
# limits (per client address above all) would refuse them, which is what they are for.
LIFTED_LIMITS = {
    "sessions_per_ip": 1_000_000,
    "sessions_per_tenant": 1_000_000,
    "sockets_per_conversation": 1_000_000,
    "open_sockets_per_conversation": 1_000_000,
    "open_sockets_per_ip": 1_000_000,
    "messages_per_conversation": 1_000_000,
    "messages_per_visitor": 1_000_000,
}


def demo_tenants_with(tmp: Path, *, lift_limits: bool = False, **overrides: dict[str, Any]) -> Path:
    """Write the demo tenants with `overrides[tenant_id]` merged in; returns the file for TENANTS_FILE.

    ``lift_limits``: every tenant without abuse limits (benches opening thousands of sockets).
    """
    data = yaml.safe_load((REPO_ROOT / "deploy/demo/tenants.yaml").read_text())
    for tenant in data["tenants"]:
        tenant["knowledge_base"] = str((REPO_ROOT / "deploy/demo" / tenant["knowledge_base"]).resolve())
        if "catalog" in tenant:
            tenant["catalog"] = str((REPO_ROOT / "deploy/demo" / tenant["catalog"]).resolve())
        if lift_limits:
            tenant["limits"] = dict(LIFTED_LIMITS)
        tenant.update(overrides.get(tenant["id"], {}))
    path = tmp / "tenants.yaml"
    path.write_text(yaml.safe_dump(data))
    return path
