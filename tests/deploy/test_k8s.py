"""Kubernetes: `kubectl kustomize` builds base and overlays, every object is valid against the
Kubernetes OpenAPI schemas (kubernetes-validate, strict: unknown fields fail), and the
manifests say what operators rely on: probes, resources, budgets, autoscaling, policies.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from functools import cache
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from services.registry import SERVICES

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy/k8s"
TARGETS = ("base", "overlays/dev", "overlays/production")
KUBERNETES_VERSION = "1.32.0"

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (kustomize) not installed")


@cache
def build(target: str) -> tuple[dict, ...]:
    out = subprocess.run(["kubectl", "kustomize", str(K8S / target)], capture_output=True, text=True, check=True)
    return tuple(d for d in yaml.safe_load_all(out.stdout) if d)


def of_kind(target: str, kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in build(target) if d["kind"] == kind}


@pytest.mark.parametrize("target", TARGETS)
def test_every_object_is_valid_against_the_kubernetes_schemas(target: str) -> None:
    for doc in build(target):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_a_wrong_manifest() -> None:
    deployment = copy.deepcopy(of_kind("base", "Deployment")["gateway"])
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}  # misspelt field
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("target", TARGETS)
def test_every_service_is_a_probed_bounded_deployment_with_a_budget(target: str) -> None:
    deployments = of_kind(target, "Deployment")
    assert set(deployments) == set(SERVICES)
    config = of_kind(target, "ConfigMap")["switchboard-config"]["data"]
    budgets = {
        p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
        for p in of_kind(target, "PodDisruptionBudget").values()
    }
    assert budgets >= set(SERVICES) | {"nats"}
    for name, dep in deployments.items():
        (container,) = dep["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["python", "-m", "services", "run", name]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["health"] == int(config["SB_HEALTH_PORT"])
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "health"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "health"}
        assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
        assert {"cpu", "memory"} <= container["resources"]["limits"].keys()
        # Secrets only from Secret objects, never inline values.
        assert {"secretRef": {"name": "switchboard-secrets"}} in container["envFrom"]
        assert not [e for e in container.get("env", []) if e["name"] in ("SECRET_KEY", "DATABASE_URL", "LLM_API_KEY")]
        assert {"name": "config", "mountPath": "/config", "readOnly": True} in container["volumeMounts"]
    (job,) = of_kind(target, "Job").values()
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["python", "-m", "services", "migrate"]


@pytest.mark.parametrize("target", TARGETS)
def test_nats_is_a_three_node_jetstream_cluster(target: str) -> None:
    nats = of_kind(target, "StatefulSet")["nats"]
    assert nats["spec"]["replicas"] == 3
    assert nats["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    conf = of_kind(target, "ConfigMap")["nats-config"]["data"]["nats.conf"]
    assert "store_dir: /data/jetstream" in conf
    headless = nats["spec"]["serviceName"]
    for i in range(3):
        assert f"nats://nats-{i}.{headless}:6222" in conf
    assert of_kind(target, "ConfigMap")["switchboard-config"]["data"]["NATS_REPLICAS"] == "3"


@pytest.mark.parametrize("target", TARGETS)
def test_only_gateway_and_handoff_are_public(target: str) -> None:
    policies = of_kind(target, "NetworkPolicy")
    deny = policies["default-deny-ingress"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress"]}
    open_to_all = set()
    for policy in policies.values():
        for rule in policy["spec"].get("ingress", []):
            if "from" not in rule:  # no source restriction: reachable from anywhere
                open_to_all.add(policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"])
    assert open_to_all == {"gateway", "handoff"}
    services = {s["spec"]["selector"].get("app.kubernetes.io/component") for s in of_kind(target, "Service").values()}
    assert services - {"nats", "postgres"} == {"gateway", "handoff"}


def test_production_autoscales_on_cpu_and_consumer_lag() -> None:
    hpas = of_kind("overlays/production", "HorizontalPodAutoscaler")
    deployments = of_kind("overlays/production", "Deployment")
    assert {"gateway", "orchestrator", "hallucination-guard"} <= set(hpas)
    for name, hpa in hpas.items():
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
        assert hpa["spec"]["minReplicas"] <= deployments[name]["spec"]["replicas"] <= hpa["spec"]["maxReplicas"]
        assert any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in hpa["spec"]["metrics"])
    lag = hpas["orchestrator"]["spec"]["metrics"][1]["external"]["metric"]
    assert lag["selector"]["matchLabels"] == {"stream_name": "SB_CONV", "consumer_name": "orchestrator"}
    assert "sockets" in hpas["gateway"]["metadata"]["annotations"]["switchboard.dev/scale-signal"]
    assert of_kind("overlays/dev", "HorizontalPodAutoscaler") == {}
