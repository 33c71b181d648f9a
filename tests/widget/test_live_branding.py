"""A widget open while its tenant's branding changes (admin API -> sb_tenants -> gateway -> `config` frame)
restyles itself, in headless Chromium, without reloading or reconnecting."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
from nats.js.kv import KeyValue
from playwright.async_api import expect

from shared.tenant_sync import open_tenants_bucket, publish_tenant
from shared.tenants import Tenant
from tests.widget.conftest import GatewayServer, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]


def branded(tenant_id: str, accent: str, title: str) -> Tenant:
    return Tenant.model_validate(
        {
            "id": tenant_id,
            "name": "Live Co",
            "widget_key": f"pk_{tenant_id}",
            "widget": {"theme": {"accent": accent}, "strings": {"title": title}},
        }
    )


@pytest.fixture
async def bucket(nats_client: nats.NATS) -> AsyncIterator[tuple[KeyValue, str]]:
    """A fresh tenant in the tenants bucket, there before the gateway starts (its own id: the bucket is shared)."""
    kv = await open_tenants_bucket(nats_client.jetstream())
    tenant_id = f"live{uuid.uuid4().hex[:10]}"
    await publish_tenant(kv, branded(tenant_id, "#2563eb", "Before"), 1)
    yield kv, tenant_id
    await kv.delete(tenant_id)


async def test_an_open_widget_restyles_when_the_branding_changes(
    bucket: tuple[KeyValue, str], gateway: GatewayServer, page: Any
) -> None:
    kv, tenant_id = bucket
    await open_host(page, gateway, host_page(f'<switchboard-chat widget-key="pk_{tenant_id}"></switchboard-chat>'))
    widget = page.locator("switchboard-chat")
    await widget.locator('[part~="launcher"]').click()
    await conversation_of(page)
    launcher = widget.locator('[part~="launcher"]')
    await expect(widget.locator('[part~="title"]')).to_have_text("Before")
    await expect(launcher).to_have_css("background-color", "rgb(37, 99, 235)")

    await publish_tenant(kv, branded(tenant_id, "#ff0000", "After"), 2)
    await expect(widget.locator('[part~="title"]')).to_have_text("After")
    await expect(launcher).to_have_css("background-color", "rgb(255, 0, 0)")
    assert await page.evaluate("document.querySelector('switchboard-chat').state.status") == "online"
