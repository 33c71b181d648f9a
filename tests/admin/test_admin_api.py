"""The admin API end to end: a handoff service hosting it, running gateways following its changes over NATS."""

from __future__ import annotations

import httpx
import pytest

from shared.tenants import TenantDirectory
from tests.admin.conftest import (
    KEY_ID,
    RunningGateway,
    admin_auth,
    new_tenant_id,
    running_gateway,
    tenant_body,
)
from tests.handoff.conftest import Service

pytestmark = pytest.mark.connected

HOT_RELOAD_S = 1.0  # every change reaches every running service within this


async def test_no_key_is_401_and_a_wrong_key_403(handoff: Service) -> None:
    async with httpx.AsyncClient(base_url=handoff.url) as http:
        missing = await http.get("/admin/v1/tenants")
        wrong = await http.get("/admin/v1/tenants", headers=admin_auth("not-the-admin-key-0123456789"))
        agent = await http.post("/admin/v1/tenants", json=tenant_body(new_tenant_id()), headers=admin_auth("tok-x"))
        right = await http.get("/admin/v1/tenants", headers=admin_auth())
    assert missing.status_code == 401
    assert "Bearer <admin key>" in missing.json()["detail"]
    assert wrong.status_code == 403
    assert agent.status_code == 403
    assert right.status_code == 200


async def test_the_tenants_file_seeds_the_database(admin: httpx.AsyncClient) -> None:
    tenants = (await admin.get("/tenants")).json()
    assert {t["name"] for t in tenants} == {"Main Co", "Other Co"}
    assert {t["source"] for t in tenants} == {"file"}


async def test_a_created_tenant_gets_sessions_on_a_gateway_already_running(
    admin: httpx.AsyncClient, gateway: RunningGateway
) -> None:
    tenant_id = new_tenant_id()
    created = await admin.post("/tenants", json=tenant_body(tenant_id))
    assert created.status_code == 201, created.text
    view = created.json()
    widget_key = view["config"]["widget_key"]
    assert widget_key.startswith("pk_")
    assert (view["source"], view["disabled"]) == ("admin", False)

    await gateway.sync.wait_for(lambda d: d.by_id(tenant_id) is not None, HOT_RELOAD_S)
    session = await gateway.open_session(widget_key)
    assert session.status_code == 200, session.text
    body = session.json()
    assert body["tenant"]["widget"]["strings"]["title"] == "Fresh help"
    async with gateway.socket(body["token"]) as ws:
        hello = await ws.recv_until("hello")
    assert hello["conversation_id"] == body["conversation_id"]

    again = await admin.post("/tenants", json=tenant_body(tenant_id))
    assert again.status_code == 409


async def test_a_branding_change_reaches_a_second_gateway_within_a_second(
    admin: httpx.AsyncClient, gateway: RunningGateway, gateway_settings: object
) -> None:
    tenant_id = new_tenant_id()
    widget_key = (await admin.post("/tenants", json=tenant_body(tenant_id))).json()["config"]["widget_key"]
    async with running_gateway(gateway_settings) as second:  # type: ignore[arg-type]
        await second.sync.wait_for(lambda d: d.by_id(tenant_id) is not None, HOT_RELOAD_S)

        def restyled(directory: TenantDirectory) -> bool:
            tenant = directory.by_id(tenant_id)
            return tenant is not None and tenant.widget.get("theme", {}).get("accent") == "#ff0000"

        patched = await admin.patch(f"/tenants/{tenant_id}", json={"widget": {"theme": {"accent": "#ff0000"}}})
        assert patched.status_code == 200, patched.text
        waited = await second.sync.wait_for(restyled, HOT_RELOAD_S)
        await gateway.sync.wait_for(restyled, HOT_RELOAD_S)
        session = (await second.open_session(widget_key)).json()

    assert waited < HOT_RELOAD_S
    # A merge patch: the accent changed, the rest of the widget config stayed.
    assert session["tenant"]["widget"] == {"theme": {"accent": "#ff0000"}, "strings": {"title": "Fresh help"}}
    assert patched.json()["version"] == 2


async def test_a_disabled_tenant_gets_no_new_session_until_enabled(
    admin: httpx.AsyncClient, gateway: RunningGateway
) -> None:
    tenant_id = new_tenant_id()
    widget_key = (await admin.post("/tenants", json=tenant_body(tenant_id))).json()["config"]["widget_key"]
    await gateway.sync.wait_for(lambda d: d.by_id(tenant_id) is not None, HOT_RELOAD_S)
    assert (await gateway.open_session(widget_key)).status_code == 200

    disabled = await admin.post(f"/tenants/{tenant_id}/disable")
    assert disabled.json()["disabled"] is True
    await gateway.sync.wait_for(lambda d: d.by_id(tenant_id).disabled, HOT_RELOAD_S)  # type: ignore[union-attr]
    refused = await gateway.open_session(widget_key)
    assert refused.status_code == 403
    assert refused.json()["detail"] == f"Tenant {tenant_id!r} is disabled: this widget opens no new sessions"

    await admin.post(f"/tenants/{tenant_id}/enable")
    await gateway.sync.wait_for(lambda d: not d.by_id(tenant_id).disabled, HOT_RELOAD_S)  # type: ignore[union-attr]
    assert (await gateway.open_session(widget_key)).status_code == 200


async def test_rotating_the_widget_key_retires_the_old_one(admin: httpx.AsyncClient, gateway: RunningGateway) -> None:
    tenant_id = new_tenant_id()
    old_key = (await admin.post("/tenants", json=tenant_body(tenant_id))).json()["config"]["widget_key"]
    rotated = await admin.post(f"/tenants/{tenant_id}/rotate", json={"secret": "widget_key"})
    assert rotated.status_code == 200, rotated.text
    new_key = rotated.json()["value"]
    assert new_key != old_key
    await gateway.sync.wait_for(lambda d: d.by_id(tenant_id).widget_key == new_key, HOT_RELOAD_S)  # type: ignore[union-attr]
    assert (await gateway.open_session(old_key)).status_code == 404
    assert (await gateway.open_session(new_key)).status_code == 200

    secret = await admin.post(f"/tenants/{tenant_id}/rotate", json={"secret": "webhook_secret"})
    assert secret.json()["value"].startswith("whsec_")
    assert secret.json()["tenant"]["config"]["webhook_secret"] == "***"  # shown once, masked in reads


async def test_every_change_is_audited_with_key_id_and_hashes(admin: httpx.AsyncClient) -> None:
    tenant_id = new_tenant_id()
    await admin.post("/tenants", json=tenant_body(tenant_id))
    await admin.patch(f"/tenants/{tenant_id}", json={"guard": {"action": "withhold"}, "name": "Renamed"})
    await admin.post(f"/tenants/{tenant_id}/rotate", json={"secret": "identity_secret"})
    await admin.post(f"/tenants/{tenant_id}/disable")

    audit = (await admin.get(f"/tenants/{tenant_id}/audit")).json()
    assert [a["action"] for a in audit] == [
        "tenant.disable",
        "tenant.rotate.identity_secret",
        "tenant.update",
        "tenant.create",
    ]
    assert {a["key_id"] for a in audit} == {KEY_ID}
    created, updated = audit[3], audit[2]
    assert created["before_sha256"] is None
    assert updated["before_sha256"] == created["after_sha256"] != updated["after_sha256"]
    assert audit[1]["before_sha256"] == updated["after_sha256"]
    assert {"path": "guard.action", "before": "flag", "after": "withhold"} in updated["diff"]
    assert {"path": "name", "before": "Fresh Co", "after": "Renamed"} in updated["diff"]
    assert audit[1]["diff"] == [{"path": "identity_secret", "before": None, "after": "***"}]
    assert audit[0]["diff"] == [{"path": "disabled", "before": False, "after": True}]


async def test_invalid_changes_are_422_naming_the_field(admin: httpx.AsyncClient) -> None:
    tenant_id = new_tenant_id()
    bad_id = await admin.post("/tenants", json=tenant_body("no spaces allowed"))
    assert bad_id.status_code == 422
    assert bad_id.json()["detail"][0]["loc"] == ["body", "id"]

    await admin.post("/tenants", json=tenant_body(tenant_id))
    bad_guard = await admin.patch(f"/tenants/{tenant_id}", json={"guard": {"action": "explode"}})
    assert bad_guard.status_code == 422
    error = bad_guard.json()["detail"][0]
    assert error["loc"] == ["body", "guard", "action"]
    assert "'flag', 'withhold' or 'replace'" in error["msg"]

    bad_handler = await admin.patch(f"/tenants/{tenant_id}", json={"actions": {"url": "https://example.com/hook"}})
    assert bad_handler.status_code == 422
    assert "Expected a 'secret'" in bad_handler.json()["detail"][0]["msg"]

    reads_files = await admin.patch(f"/tenants/{tenant_id}", json={"knowledge_base": "/etc"})
    assert reads_files.status_code == 422
    assert "server file paths are set in the tenants file only" in reads_files.json()["detail"][0]["msg"]
    creates_with_files = await admin.post("/tenants", json=tenant_body(new_tenant_id(), catalog="/etc/passwd"))
    assert creates_with_files.status_code == 422

    renamed = await admin.patch(f"/tenants/{tenant_id}", json={"id": "other"})
    assert renamed.status_code == 422
    assert "never changes" in renamed.json()["detail"][0]["msg"]

    unknown = await admin.patch("/tenants/nobody", json={"name": "x"})
    assert unknown.status_code == 404
    # Nothing invalid was stored or audited.
    assert [a["action"] for a in (await admin.get(f"/tenants/{tenant_id}/audit")).json()] == ["tenant.create"]


async def test_an_admin_change_outlives_a_restart_and_the_file_no_longer_applies(
    admin: httpx.AsyncClient, handoff: Service, admin_settings: object, handoff_config: object
) -> None:
    main = next(t for t in (await admin.get("/tenants")).json() if t["name"] == "Main Co")
    changed = await admin.patch(f"/tenants/{main['id']}", json={"assistant_name": "Changed"})
    assert changed.json()["source"] == "admin"
    await handoff.stop()

    from handoff.app import create_app
    from tests.handoff.conftest import serve

    again = await serve(create_app(admin_settings, handoff_config))  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(base_url=again.url + "/admin/v1", headers=admin_auth()) as http:
            view = (await http.get(f"/tenants/{main['id']}")).json()
    finally:
        await again.stop()
    assert (view["config"]["assistant_name"], view["source"]) == ("Changed", "admin")


async def test_an_open_widget_gets_a_config_frame_when_its_branding_changes(
    admin: httpx.AsyncClient, gateway: RunningGateway
) -> None:
    tenant_id = new_tenant_id()
    widget_key = (await admin.post("/tenants", json=tenant_body(tenant_id))).json()["config"]["widget_key"]
    await gateway.sync.wait_for(lambda d: d.by_id(tenant_id) is not None, HOT_RELOAD_S)
    session = (await gateway.open_session(widget_key)).json()
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        # Not branding: no frame. Then branding: the first config frame the socket gets is that one.
        await admin.patch(f"/tenants/{tenant_id}", json={"limits": {"messages_per_visitor": 500}})
        await admin.patch(f"/tenants/{tenant_id}", json={"widget": {"theme": {"accent": "#00ff00"}}})
        frame = await ws.recv_until("config")
    assert frame["tenant"]["id"] == tenant_id
    assert frame["tenant"]["widget"]["theme"]["accent"] == "#00ff00"
    assert frame["tenant"]["widget"]["strings"]["title"] == "Fresh help"
