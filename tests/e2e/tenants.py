"""Tenant files for end-to-end tests: the demo tenants with some fields overridden."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from shared.settings import REPO_ROOT


def demo_tenants_with(tmp: Path, **overrides: dict[str, Any]) -> Path:
    """Write the demo tenants with `overrides[tenant_id]` merged in; returns the file for TENANTS_FILE."""
    data = yaml.safe_load((REPO_ROOT / "deploy/demo/tenants.yaml").read_text())
    for tenant in data["tenants"]:
        tenant["knowledge_base"] = str((REPO_ROOT / "deploy/demo" / tenant["knowledge_base"]).resolve())
        tenant.update(overrides.get(tenant["id"], {}))
    path = tmp / "tenants.yaml"
    path.write_text(yaml.safe_dump(data))
    return path
