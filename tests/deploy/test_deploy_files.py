"""The Dockerfile, docker-compose.yml and Kubernetes manifests match the runner and the tree.

Kubernetes schemas and kustomize builds: test_k8s.py; the Compose schema and topology: test_compose.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from services.registry import SERVICES

REPO = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_migrate_command_is_known_to_the_cli() -> None:
    from services.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["migrate", "--help"])
    assert exc.value.code == 0


def service_command(cmd: list[str]) -> str:
    assert cmd[:4] == ["python", "-m", "services", "run"], f"Expected 'python -m services run NAME', got {cmd}"
    assert len(cmd) == 5, f"Expected exactly one service name, got {cmd}"
    return cmd[4]


def test_compose_has_every_service_with_runner_command() -> None:
    services = compose()["services"]
    infra = ("postgres", "migrate")
    app = {name: svc for name, svc in services.items() if not name.startswith("nats-") and name not in infra}
    assert set(app) == set(SERVICES)
    for name, svc in app.items():
        assert service_command(svc["command"]) == name
        assert svc["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["python", "-m", "services", "migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_nats_has_jetstream_and_postgres_is_checked() -> None:
    services = compose()["services"]
    conf = (REPO / "deploy/nats/nats.conf").read_text()
    assert "jetstream" in conf
    assert all(any("nats.conf" in v for v in services[f"nats-{i}"]["volumes"]) for i in (1, 2, 3))
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])


def test_compose_has_no_default_secrets() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    for var in ("SECRET_KEY", "POSTGRES_PASSWORD"):
        uses = re.findall(r"\$\{" + var + r"([^}]*)\}", text)
        assert uses, f"{var} is not used"
        assert all(u.startswith(":?") for u in uses), f"{var} must be required (${{{var}:?...}}), got {uses}"
    gateway_env = compose()["services"]["gateway"]["environment"]
    assert gateway_env["ENVIRONMENT"] == "production"
    assert gateway_env["NATS_URL"] == "nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:4222"


def test_dockerfile_copies_existing_paths_and_runs_the_runner() -> None:
    lines = (REPO / "deploy/Dockerfile").read_text().splitlines()
    copies = [line.split()[1:-1] for line in lines if line.startswith("COPY ") and "--from" not in line]
    for sources in copies:
        for src in sources:
            assert (REPO / src).exists(), f"Dockerfile copies {src}, which is not in the repo"
    cmd = next(line for line in lines if line.startswith("CMD "))
    assert service_command(yaml.safe_load(cmd[4:])) in SERVICES
    assert any(line.startswith("USER ") and "root" not in line for line in lines)


def k8s_documents() -> list[dict]:
    docs = []
    for path in sorted((REPO / "deploy/k8s/base").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def test_kustomizations_list_existing_files() -> None:
    for kustomization_file in (REPO / "deploy/k8s").rglob("kustomization.yaml"):
        kustomization = yaml.safe_load(kustomization_file.read_text())
        for resource in kustomization["resources"]:
            assert (kustomization_file.parent / resource).exists(), f"{kustomization_file}: {resource}"


def test_production_deployments_mount_their_own_tenants_and_agents() -> None:
    """Production refuses the demo files' credentials: every deployment reads tenants and agents from /config."""
    app = compose()["x-switchboard"]
    assert app["environment"]["TENANTS_FILE"] == "/config/tenants.yaml"
    assert app["environment"]["HANDOFF_AGENTS_FILE"] == "/config/agents.yaml"
    assert any(v.startswith("${SWITCHBOARD_CONFIG:?") and v.endswith(":/config:ro") for v in app["volumes"])
    config = next(d for d in k8s_documents() if d["metadata"]["name"] == "switchboard-config")["data"]
    assert (config["TENANTS_FILE"], config["HANDOFF_AGENTS_FILE"]) == ("/config/tenants.yaml", "/config/agents.yaml")
    kustomization = yaml.safe_load((REPO / "deploy/k8s/base/kustomization.yaml").read_text())
    assert {p["target"]["kind"] for p in kustomization["patches"]} == {"Deployment", "Job"}
    patch = yaml.safe_load((REPO / "deploy/k8s/base" / kustomization["patches"][0]["path"]).read_text())
    assert patch[1]["value"] == {"name": "config", "mountPath": "/config", "readOnly": True}
    dockerfile = (REPO / "deploy/Dockerfile").read_text()
    assert "TENANTS_FILE=/config/tenants.yaml" in dockerfile
    assert "HANDOFF_AGENTS_FILE=/config/agents.yaml" in dockerfile
