"""The HTTP side against a running gateway: sessions, widget config, health."""

import hashlib
import hmac
import json

import pytest

from gateway import tokens
from shared.settings import Settings
from tests.gateway.conftest import IDENTITY_SECRET, WIDGET_KEY, GatewayClient

pytestmark = pytest.mark.connected


async def test_session_returns_token_conversation_tenant_and_ws_url(
    gateway: GatewayClient, gateway_settings: Settings
) -> None:
    session = await gateway.session()
    claims = tokens.verify(gateway_settings.secret_key, session["token"])
    assert claims.conversation == session["conversation_id"]
    assert claims.visitor == session["visitor_id"]
    assert session["tenant"] == {
        "id": "acme",
        "name": "Acme Outdoor",
        "assistant_name": "Ada",
        "widget": {"layout": "floating", "strings": {"title": "Acme help"}},
    }
    assert session["ws_url"] == gateway.base_url.replace("http", "ws", 1) + "/v1/ws"
    assert session["expires_at"]


async def test_reload_with_previous_token_continues_the_conversation(gateway: GatewayClient) -> None:
    first = await gateway.session()
    again = await gateway.session(previous_token=first["token"])
    assert (again["conversation_id"], again["visitor_id"]) == (first["conversation_id"], first["visitor_id"])
    assert (await gateway.session())["conversation_id"] != first["conversation_id"]


async def test_unknown_widget_key_is_404(gateway: GatewayClient) -> None:
    response = await gateway.http.post("/v1/session", json={"widget_key": "pk_nope"})
    assert response.status_code == 404
    assert "pk_nope" in response.json()["detail"]
    assert (await gateway.http.get("/v1/widget-config/pk_nope")).status_code == 404


async def test_identity_verification(gateway: GatewayClient) -> None:
    good = hmac.new(IDENTITY_SECRET.encode(), b"alice", hashlib.sha256).hexdigest()
    session = await gateway.session(user_id="alice", user_hash=good)
    assert session["visitor_id"].startswith("u_")
    bad = await gateway.http.post(
        "/v1/session", json={"widget_key": WIDGET_KEY, "user_id": "alice", "user_hash": "0" * 64}
    )
    assert bad.status_code == 401
    assert "HMAC" in bad.json()["detail"]


async def test_origin_must_be_allowed(gateway: GatewayClient) -> None:
    body = {"widget_key": "pk_test_strict"}
    allowed = await gateway.http.post("/v1/session", json=body, headers={"Origin": "https://strict.example"})
    assert allowed.status_code == 200
    refused = await gateway.http.post("/v1/session", json=body, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403


async def test_widget_config_and_health(gateway: GatewayClient) -> None:
    config = await gateway.http.get(f"/v1/widget-config/{WIDGET_KEY}")
    assert config.status_code == 200
    assert config.json()["assistant_name"] == "Ada"
    assert (await gateway.http.get("/healthz")).json() == {"ok": True, "nats": True}


async def test_demo_page_and_widget_assets(gateway: GatewayClient) -> None:
    page = await gateway.http.get("/")
    assert page.status_code == 200
    assert "pk_demo_acme" in page.text
    assert (await gateway.http.get("/static/index.html")).status_code == 200
    # /widget.js and /demo are the widget package's files: served when present, a clear 404 otherwise.
    for path in ("/widget.js", "/demo"):
        response = await gateway.http.get(path)
        assert response.status_code in (200, 404)
        if response.status_code == 404:
            assert "exist" in response.json()["detail"]


@pytest.mark.parametrize(
    "field",
    [
        {"user_id": "al\u0000ice", "user_hash": "00"},
        {"user_id": "al\ud800ice", "user_hash": "00"},
        {"user_id": "alice", "user_hash": "0\u0000"},
        {"previous_token": "ey\u0000"},
        {"visitor_id": "v_\ud800"},
    ],
    ids=["nul-user-id", "surrogate-user-id", "nul-user-hash", "nul-previous-token", "surrogate-visitor-id"],
)
async def test_session_identity_text_the_database_cannot_hold_is_422(gateway: GatewayClient, field: dict) -> None:
    response = await gateway.http.post(
        "/v1/session",
        content=json.dumps({"widget_key": WIDGET_KEY, **field}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


async def test_a_visitor_id_without_its_secret_gets_a_new_visitor(gateway: GatewayClient) -> None:
    first = await gateway.session()
    assert len(first["visitor_secret"]) == 64
    kept = await gateway.session(visitor_id=first["visitor_id"], visitor_secret=first["visitor_secret"])
    assert kept["visitor_id"] == first["visitor_id"]
    stranger = await gateway.session(visitor_id=first["visitor_id"])
    assert stranger["visitor_id"] != first["visitor_id"]
