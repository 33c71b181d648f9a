"""The Dockerfile, docker-compose.yml and Kubernetes manifests match the runner and the tree.

There is no Docker engine here, so these files are validated by parsing them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
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
    app = {name: svc for name, svc in services.items() if name not in ("nats", "postgres", "migrate")}
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
    assert any("nats.conf" in v for v in services["nats"]["volumes"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])


def test_compose_has_no_default_secrets() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    for var in ("SECRET_KEY", "POSTGRES_PASSWORD"):
        uses = re.findall(r"\$\{" + var + r"([^}]*)\}", text)
        assert uses, f"{var} is not used"
        assert all(u.startswith(":?") for u in uses), f"{var} must be required (${{{var}:?...}}), got {uses}"
    gateway_env = compose()["services"]["gateway"]["environment"]
    assert gateway_env["ENVIRONMENT"] == "production"
    assert gateway_env["NATS_URL"] == "nats://nats:4222"


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
    for path in sorted((REPO / "deploy/k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def test_k8s_deploys_every_service_with_runner_command() -> None:
    jobs = [d for d in k8s_documents() if d["kind"] == "Job"]
    assert [j["spec"]["template"]["spec"]["containers"][0]["command"] for j in jobs] == [
        ["python", "-m", "services", "migrate"]
    ]
    deployments = {d["metadata"]["name"]: d for d in k8s_documents() if d["kind"] == "Deployment"}
    assert set(deployments) == set(SERVICES)
    for name, dep in deployments.items():
        (container,) = dep["spec"]["template"]["spec"]["containers"]
        assert service_command(container["command"]) == name
        assert dep["spec"]["selector"]["matchLabels"].items() <= dep["spec"]["template"]["metadata"]["labels"].items()


def test_kustomization_lists_existing_files() -> None:
    kustomization = yaml.safe_load((REPO / "deploy/k8s/kustomization.yaml").read_text())
    for resource in kustomization["resources"]:
        assert (REPO / "deploy/k8s" / resource).exists()


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed: cannot render kustomize")
def test_kustomize_renders() -> None:
    out = subprocess.run(
        ["kubectl", "kustomize", str(REPO / "deploy/k8s")], capture_output=True, text=True, check=True
    ).stdout
    rendered = list(yaml.safe_load_all(out))
    assert sum(d["kind"] == "Deployment" for d in rendered) == len(SERVICES)
    assert all(d["metadata"].get("namespace") == "switchboard" for d in rendered)


def test_production_deployments_mount_their_own_tenants_and_agents() -> None:
    """Production refuses the demo files' credentials: every deployment reads tenants and agents from /config."""
    app = compose()["x-switchboard"]
    assert app["environment"]["TENANTS_FILE"] == "/config/tenants.yaml"
    assert app["environment"]["HANDOFF_AGENTS_FILE"] == "/config/agents.yaml"
    assert any(v.startswith("${SWITCHBOARD_CONFIG:?") and v.endswith(":/config:ro") for v in app["volumes"])
    config = next(d for d in k8s_documents() if d["kind"] == "ConfigMap")["data"]
    assert (config["TENANTS_FILE"], config["HANDOFF_AGENTS_FILE"]) == ("/config/tenants.yaml", "/config/agents.yaml")
    kustomization = yaml.safe_load((REPO / "deploy/k8s/kustomization.yaml").read_text())
    assert {p["target"]["kind"] for p in kustomization["patches"]} == {"Deployment", "Job"}
    patch = yaml.safe_load((REPO / "deploy/k8s" / kustomization["patches"][0]["path"]).read_text())
    assert patch[1]["value"] == [{"name": "config", "mountPath": "/config", "readOnly": True}]
    dockerfile = (REPO / "deploy/Dockerfile").read_text()
    assert "TENANTS_FILE=/config/tenants.yaml" in dockerfile
    assert "HANDOFF_AGENTS_FILE=/config/agents.yaml" in dockerfile
