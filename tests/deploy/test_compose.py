"""docker-compose.yml: valid Compose (`docker compose config` with Docker, else the Compose
Specification JSON schema vendored in tests/deploy/data), and the cluster topology.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from services.registry import SERVICES

REPO = Path(__file__).resolve().parents[2]
SCHEMA = Path(__file__).parent / "data" / "compose-spec.json"
NODES = ("nats-1", "nats-2", "nats-3")
REQUIRED_ENV = {"SECRET_KEY": "s" * 32, "POSTGRES_PASSWORD": "p", "SWITCHBOARD_CONFIG": "/tmp/config"}


def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def docker_compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not docker_compose_available(), reason="no `docker compose` plugin: see the schema test")
def test_docker_compose_config_accepts_the_file() -> None:
    subprocess.run(
        ["docker", "compose", "-f", str(REPO / "docker-compose.yml"), "config", "--quiet"],
        env=REQUIRED_ENV | {"PATH": "/usr/bin:/usr/local/bin"}, check=True, capture_output=True,
    )  # fmt: skip


def test_the_file_is_valid_against_the_compose_specification_schema() -> None:
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(compose())


def test_the_schema_catches_a_wrong_file() -> None:
    wrong = compose()
    wrong["services"]["gateway"]["restart_policy"] = "always"  # not a Compose key
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(wrong)


def test_three_nats_nodes_routed_to_each_other_with_jetstream() -> None:
    services = compose()["services"]
    conf = (REPO / "deploy/nats/nats.conf").read_text()
    routes = set(re.findall(r"nats://([\w-]+):6222", conf))
    assert routes == set(NODES)
    names = {services[n]["environment"]["SERVER_NAME"] for n in NODES}
    assert names == set(NODES), "each node has its own server_name (JetStream clustering needs it)"
    volumes = {v.split(":")[0] for n in NODES for v in services[n]["volumes"] if not v.startswith("./")}
    assert len(volumes) == 3, "each node keeps its own JetStream store"
    for n in NODES:
        assert "healthz" in " ".join(services[n]["healthcheck"]["test"])


def test_every_service_uses_the_whole_cluster_and_three_replicas() -> None:
    data = compose()
    env = data["x-switchboard"]["environment"]
    assert env["NATS_URL"].split(",") == [f"nats://{n}:4222" for n in NODES]
    assert env["NATS_REPLICAS"] == "3"
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
    for name in SERVICES:
        depends = data["services"][name]["depends_on"]
        assert all(depends[n]["condition"] == "service_healthy" for n in NODES), name
