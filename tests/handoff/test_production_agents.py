"""Production refuses to start the handoff service without its own agents file or with a demo agent token."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
import yaml

from handoff.app import create_app
from handoff.config import HandoffSettings
from shared.demo import DEMO_AGENTS
from shared.settings import Settings
from tests.shared.test_production import REAL_SECRET, tenants_file


@pytest.fixture
def prod(tmp_path: Path) -> Settings:
    return Settings(environment="production", secret_key=REAL_SECRET, tenants_file=tenants_file(tmp_path))


def agents_file(tmp_path: Path, token: str) -> Path:
    digest = hashlib.sha256(token.encode()).hexdigest()
    agent = {"id": "sam", "tenant_id": "shop", "name": "Sam", "token_sha256": digest}
    path = tmp_path / "agents.yaml"
    path.write_text(yaml.safe_dump({"agents": [agent]}))
    return path


def test_production_refuses_no_agents_file(prod: Settings) -> None:
    with pytest.raises(ValueError, match="HANDOFF_AGENTS_FILE is not set"):
        create_app(prod, HandoffSettings())


def test_production_refuses_the_demo_agents_file(prod: Settings) -> None:
    with pytest.raises(ValueError, match="HANDOFF_AGENTS_FILE is not set \\(or is the demo file"):
        create_app(prod, HandoffSettings(agents_file=DEMO_AGENTS))


def test_production_refuses_a_missing_agents_file(prod: Settings, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HANDOFF_AGENTS_FILE", str(tmp_path / "gone.yaml"))
    with pytest.raises(ValueError, match=r"gone\.yaml does not exist"):
        create_app(prod, HandoffSettings())


@pytest.mark.parametrize("token", ["demo-acme-alice", "demo-shop-sam"])
def test_production_refuses_a_demo_agent_token(prod: Settings, tmp_path: Path, token: str) -> None:
    path = agents_file(tmp_path, token)
    with pytest.raises(ValueError, match="gives agents shop/sam a public demo token"):
        create_app(prod, HandoffSettings(agents_file=path))


async def test_production_with_real_agents_starts_without_api_docs(prod: Settings, tmp_path: Path) -> None:
    app = create_app(prod, HandoffSettings(agents_file=agents_file(tmp_path, "a-random-token-of-sams-0123456789")))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 404, path
