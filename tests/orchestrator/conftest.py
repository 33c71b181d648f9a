"""Fixtures for orchestrator tests: the demo tenants and an in-memory orchestrator."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.graph import build_graph
from orchestrator.memory_gate import MemoryGate
from orchestrator.turns import Orchestrator
from shared.settings import REPO_ROOT
from shared.tenants import Tenant, TenantDirectory, load_tenants
from tests.fakes.scripted_provider import ScriptedProvider
from tests.orchestrator._helpers import Recorder

KB_ROOT = REPO_ROOT / "deploy" / "demo" / "kb"


@pytest.fixture(scope="session")
def tenants() -> TenantDirectory:
    return load_tenants(REPO_ROOT / "deploy" / "demo" / "tenants.yaml")


@pytest.fixture
def acme(tenants: TenantDirectory) -> Tenant:
    tenant = tenants.by_id("acme")
    assert tenant is not None
    return tenant


@pytest.fixture
def kb_dir() -> Path:
    return KB_ROOT / "acme"


@pytest.fixture
def provider() -> ScriptedProvider:
    return ScriptedProvider("Standard shipping costs $5.95.")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def orch(tenants: TenantDirectory, provider: ScriptedProvider, recorder: Recorder) -> Orchestrator:
    return Orchestrator(
        tenants=tenants,
        graph=build_graph(),
        provider_for=lambda tenant: provider,
        publish=recorder,
        gate=MemoryGate(),
    )
