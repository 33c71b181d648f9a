"""Front-end adapter fixtures: the gateway on real NATS (tests/gateway), an in-process orchestrator."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from orchestrator.app import running
from orchestrator.config import OrchestratorSettings
from orchestrator.turns import Orchestrator
from shared.settings import Settings
from tests.frontends.clients import ChatKitClient
from tests.gateway.conftest import GatewayClient, broker, gateway, gateway_settings  # noqa: F401


@pytest.fixture
async def orchestrator(connected_settings: Settings) -> AsyncIterator[Orchestrator]:
    """A real orchestrator (the offline answerer over the demo knowledge base) on its own durable."""
    options = OrchestratorSettings(durable=f"frontends-{uuid.uuid4().hex[:8]}", deliver="new", word_delay_s=0.001)
    async with running(connected_settings, options) as orch:
        yield orch


@pytest.fixture
async def chatkit(gateway: GatewayClient) -> ChatKitClient:  # noqa: F811
    session = await gateway.session()
    return ChatKitClient(gateway.http, session["token"], session["conversation_id"])
