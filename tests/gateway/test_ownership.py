"""The widget socket checks the recorded owner of the conversation, not only the token's signature."""

from __future__ import annotations

import uuid

import pytest

from gateway import tokens
from shared.settings import Settings
from tests.conftest import TEST_SECRET
from tests.gateway.conftest import GatewayClient
from tests.gateway.test_history_routes import seed
from tests.shared.db.backends import backend, database_url, migrated_url  # noqa: F401

pytestmark = pytest.mark.connected


@pytest.fixture
def gateway_settings(gateway_settings: Settings, migrated_url: str) -> Settings:  # noqa: F811
    return gateway_settings.model_copy(update={"database_url": migrated_url})


async def test_a_token_for_someone_elses_recorded_conversation_is_refused(
    gateway: GatewayClient, gateway_settings: Settings
) -> None:
    conv = uuid.uuid4().hex
    await seed(gateway_settings, conv, "v_owner", turns=1)
    owner = tokens.sign(TEST_SECRET, "acme", "v_owner", conv, 600)
    async with gateway.socket(owner) as ws:
        assert (await ws.recv_until("hello"))["conversation_id"] == conv
    # Correctly signed, but naming a visitor who does not own the recorded conversation.
    thief = tokens.sign(TEST_SECRET, "acme", "v_thief", conv, 600)
    async with gateway.socket(thief) as ws:
        code, reason = await ws.closed()
    assert (code, reason) == (4403, "conversation not yours")
    assert ws.skipped == []
    # Not recorded yet: the token is the only proof, and it is enough.
    fresh = uuid.uuid4().hex
    async with gateway.socket(tokens.sign(TEST_SECRET, "acme", "v_new", fresh, 600)) as ws:
        assert (await ws.recv_until("hello"))["conversation_id"] == fresh
