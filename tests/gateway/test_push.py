"""The push API: the business's backend posts into a conversation, shown live or on the next open."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.settings import Settings
from tests.gateway.conftest import TENANTS_YAML, GatewayClient

pytestmark = pytest.mark.connected
KEY = "sk_test_acme_push_0123456789abcdef"
PUSH_YAML = TENANTS_YAML.replace("    assistant_name: Ada\n", f"    assistant_name: Ada\n    api_keys: [{KEY}]\n", 1)
SHIPPED = {
    "text": "Good news: your order has shipped!",
    "components": [{"type": "card", "title": "Order A1001", "subtitle": "Shipped", "text": "Arrives Thursday"}],
}


@pytest.fixture
def gateway_settings(connected_settings: Settings, tmp_path: Path) -> Settings:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(PUSH_YAML)
    return connected_settings.model_copy(update={"heartbeat_s": 30.0, "tenants_file": tenants})


def push_url(conversation_id: str) -> str:
    return f"/v1/push/conversations/{conversation_id}/messages"


async def started(gateway: GatewayClient) -> tuple[dict, int]:
    """A conversation the visitor has started; its session and the seq of their message."""
    session = await gateway.session()
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        await ws.send({"type": "message.send", "client_id": "c1", "text": "When will my order ship?"})
        ack = await ws.recv_until("ack")
    return session, ack["seq"]


async def test_a_push_reaches_an_open_widget_at_once(gateway: GatewayClient) -> None:
    session, seq = await started(gateway)
    async with gateway.socket(session["token"], after_seq=seq) as ws:
        await ws.recv_until("resumed")
        r = await gateway.http.post(
            push_url(session["conversation_id"]), json=SHIPPED, headers={"Authorization": f"Bearer {KEY}"}
        )
        assert r.status_code == 201, r.text
        pushed = await ws.recv_until("message.completed")
    assert pushed["message_id"] == r.json()["message_id"]
    assert pushed["seq"] == r.json()["seq"]
    assert (pushed["role"], pushed["text"], pushed["author"]["name"]) == ("assistant", SHIPPED["text"], "Ada")
    assert pushed["components"][0]["title"] == "Order A1001"


async def test_a_push_to_a_closed_widget_shows_on_its_next_open_and_a_retry_posts_once(
    gateway: GatewayClient,
) -> None:
    session, seq = await started(gateway)
    body = {**SHIPPED, "client_id": "shipment-A1001"}
    auth = {"Authorization": f"Bearer {KEY}"}
    first = await gateway.http.post(push_url(session["conversation_id"]), json=body, headers=auth)
    again = await gateway.http.post(push_url(session["conversation_id"]), json=body, headers=auth)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()  # the same message, stored once
    async with gateway.socket(session["token"], after_seq=seq) as ws:
        replayed = await ws.recv_until("message.completed")
        resumed = await ws.recv_until("resumed")
    assert replayed["message_id"] == first.json()["message_id"]
    assert replayed["components"][0]["subtitle"] == "Shipped"
    assert resumed["replayed"] == 1


async def test_pushes_need_a_tenant_key_an_existing_conversation_and_something_to_say(gateway: GatewayClient) -> None:
    session, _ = await started(gateway)
    url = push_url(session["conversation_id"])
    assert (await gateway.http.post(url, json=SHIPPED)).status_code == 401
    wrong = await gateway.http.post(url, json=SHIPPED, headers={"Authorization": "Bearer pk_demo_acme"})
    assert wrong.status_code == 401
    assert "unknown key" in wrong.json()["detail"]
    auth = {"Authorization": f"Bearer {KEY}"}
    unknown = await gateway.http.post(push_url("nobody-here"), json=SHIPPED, headers=auth)
    assert unknown.status_code == 404
    empty = await gateway.http.post(url, json={"text": " "}, headers=auth)
    assert empty.status_code == 422
    assert "Expected text or at least one component" in empty.text
    bad = await gateway.http.post(url, json={"components": [{"type": "iframe"}]}, headers=auth)
    assert bad.status_code == 422
