"""A quiet socket still hears from the server, so a widget can tell a dead one from a calm one."""

import pytest

from shared.settings import Settings
from tests.gateway.conftest import GatewayClient

pytestmark = pytest.mark.connected


@pytest.fixture
def gateway_settings(gateway_settings: Settings) -> Settings:
    return gateway_settings.model_copy(update={"heartbeat_s": 0.2})


async def test_heartbeats_arrive_when_nothing_else_does(gateway: GatewayClient) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"]) as ws:
        hello = await ws.recv_until("hello")
        beats = [await ws.recv_until("heartbeat") for _ in range(2)]
        await ws.send({"type": "ping"})
        await ws.recv_until("pong")
    assert hello["heartbeat_s"] == 0.2
    assert beats == [{"type": "heartbeat"}] * 2
