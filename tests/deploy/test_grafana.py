"""deploy/grafana: valid JSON, every panel on a metric the services export, every exported metric shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

from shared import metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "switchboard.json"


def test_the_grafana_dashboard_parses_and_uses_only_exported_metrics() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    exported = {m.name for m in metrics.REGISTRY.collect() if m.name.startswith("switchboard_")}
    exprs = [
        target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        if panel.get("type") != "row"
    ]
    assert len(exprs) >= 10
    used = {name for expr in exprs for name in metric_names(expr)}
    unknown = {name for name in used if base_name(name) not in exported}
    assert unknown == set(), f"panels query metrics nobody exports: {unknown}"
    assert {base_name(n) for n in used} == exported, "every exported metric has a panel"


def metric_names(expr: str) -> set[str]:
    return set(re.findall(r"\bswitchboard_[a-z_]+", expr))


def base_name(name: str) -> str:
    """The family name of a sample name (``_bucket``, ``_count``, ``_sum``, ``_total`` suffixes dropped)."""
    for suffix in ("_bucket", "_count", "_sum", "_total"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
