"""The admin page in Chromium: sign in, create a tenant, restyle its widget with the live preview,
upload a document, and ask the new widget about it (a real gateway and orchestrator answer)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from handoff.app import create_app as create_handoff
from handoff.config import HandoffSettings
from orchestrator.app import running
from orchestrator.config import OrchestratorSettings
from orchestrator.turns import Orchestrator
from shared.settings import Settings
from tests.admin.conftest import ADMIN_KEY, RunningGateway, new_tenant_id, running_gateway
from tests.handoff.conftest import Service
from tests.handoff.console_page import axe_violations, open_console

pytestmark = [pytest.mark.connected]

MARKDOWN = b"""# Moon Bakery

## Sourdough

Our sourdough starter is called Bartholomew and is fed rye flour every morning at six.
"""
HOSTILE = '<img src=x onerror="window.__pwned=1">Moon & Co'


@pytest.fixture
async def page_gateway(admin_settings: Settings) -> AsyncIterator[RunningGateway]:
    async with running_gateway(admin_settings) as gateway:
        yield gateway


@pytest.fixture
def handoff_app(admin_settings: Settings, handoff_config: HandoffSettings, page_gateway: RunningGateway) -> FastAPI:
    """The handoff service told where browsers reach the gateway (GATEWAY_PUBLIC_URL)."""
    told = admin_settings.model_copy(update={"gateway_public_url": page_gateway.base_url})
    return create_handoff(told, handoff_config)


@pytest.fixture
async def orchestrator(admin_settings: Settings) -> AsyncIterator[Orchestrator]:
    options = OrchestratorSettings(durable=f"admin-page-{uuid.uuid4().hex[:8]}", deliver="new", word_delay_s=0)
    async with running(admin_settings, options) as orch:
        yield orch


@pytest.fixture
async def page() -> AsyncIterator[Any]:
    async for p in open_console({"width": 1400, "height": 900}):
        yield p


async def test_the_page_and_its_config_are_served(handoff: Service, page_gateway: RunningGateway) -> None:
    async with httpx.AsyncClient(base_url=handoff.url) as http:
        html = await http.get("/admin")
        config = await http.get("/admin/page-config")
    assert html.status_code == 200
    assert "Switchboard admin" in html.text
    assert config.json() == {"gateway_url": page_gateway.base_url}


def test_the_gateway_url_defaults_to_the_gateway_address(settings: Settings) -> None:
    assert settings.gateway_url() == f"http://127.0.0.1:{settings.gateway_port}"
    public = settings.model_copy(update={"gateway_public_url": "https://chat.example.com/"})
    assert public.gateway_url() == "https://chat.example.com"


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"])
async def test_create_style_upload_and_ask_the_new_widget(
    page: Any, handoff: Service, page_gateway: RunningGateway, orchestrator: Orchestrator
) -> None:
    from playwright.async_api import expect

    await page.goto(handoff.url + "/admin")
    await expect(page.locator("body[data-ready=true]")).to_have_count(1)
    await page.get_by_test_id("admin-key").fill("not-the-key-0123456789abcdef")
    await page.get_by_test_id("sign-in").click()
    await expect(page.get_by_test_id("login-error")).to_have_text("That admin key was not accepted.")
    await page.get_by_test_id("admin-key").fill(ADMIN_KEY)
    await page.get_by_test_id("sign-in").click()
    await expect(page.get_by_test_id("tenants").locator("li")).to_have_count(2)  # the seed file's two
    assert await page.evaluate("sessionStorage.getItem('sb_admin_key')") == ADMIN_KEY

    tenant_id = new_tenant_id()
    await page.get_by_test_id("new-id").fill(tenant_id)
    await page.get_by_test_id("new-name").fill(HOSTILE)
    await page.get_by_test_id("create").click()
    await expect(page.get_by_test_id("editor-title")).to_have_text(HOSTILE)  # as text, never as markup
    await expect(page.locator(f'[data-tenant-id="{tenant_id}"]')).to_contain_text(HOSTILE)
    assert await page.evaluate("window.__pwned") is None

    widget = page.get_by_test_id("preview-widget")
    header = widget.locator('[part~="header"]')
    await expect(widget).to_have_attribute("data-status", "online")
    await page.get_by_test_id("accent").fill("#aa3300")  # before saving: the preview follows the form
    await expect(header).to_have_css("background-color", "rgb(170, 51, 0)")
    await page.get_by_test_id("title").fill("Moon Bakery help")
    await expect(widget.locator('[part~="title"]')).to_have_text("Moon Bakery help")
    await page.get_by_test_id("welcome").fill("Hello from the bakery!")
    await page.get_by_test_id("save").click()
    await expect(page.get_by_test_id("saved")).to_contain_text("Saved")
    await page.get_by_test_id("accent").fill("#1d6b2f")  # after saving too
    await expect(header).to_have_css("background-color", "rgb(29, 107, 47)")
    await page.get_by_test_id("save").click()
    await expect(page.get_by_test_id("saved")).to_contain_text("Saved")
    # what was saved is the tenant's configuration for every visitor
    await page_gateway.sync.wait_for(
        lambda d: (t := d.by_id(tenant_id)) is not None and t.widget.get("theme", {}).get("accent") == "#1d6b2f", 5
    )

    bad = {"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n\x00\x00"}
    await page.get_by_test_id("file").set_input_files(bad)
    await page.get_by_test_id("upload").click()
    await expect(page.get_by_test_id("upload-error")).to_contain_text("Expected text (.txt), markdown")
    await expect(page.get_by_test_id("documents-empty")).to_be_visible()

    doc = {"name": "bakery.md", "mimeType": "text/markdown", "buffer": MARKDOWN}
    await page.get_by_test_id("file").set_input_files(doc)
    await page.get_by_test_id("upload").click()
    row = page.get_by_test_id("documents").locator("tr")
    await expect(row).to_have_count(1)
    await expect(row.get_by_test_id("document-status")).to_have_text("ready", timeout=20_000)
    await expect(row.locator("progress")).to_have_attribute("value", "1")
    doc_id = int(await row.get_attribute("data-document-id") or 0)
    # "ready" is this document indexed; each orchestrator swaps its rebuilt index in right after
    assert orchestrator.knowledge is not None
    await orchestrator.knowledge.wait_for(tenant_id, {doc_id}, 10)

    await widget.locator('textarea[part~="input"]').fill("What is the sourdough starter called?")
    await widget.locator('[part~="send"]').click()
    answer = widget.locator('[part~="bubble-assistant"]').filter(has_text="Bartholomew")
    await expect(answer).to_have_count(1, timeout=20_000)
    assert await axe_violations(page) == []

    await page.get_by_role("button", name="Delete bakery.md").click()
    await expect(row).to_have_count(0)
    await expect(page.get_by_test_id("documents-empty")).to_be_visible()
    await orchestrator.knowledge.wait_for(tenant_id, set(), 10)


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"])
async def test_on_a_phone_the_page_is_one_column_without_sideways_scrolling(
    handoff: Service, page_gateway: RunningGateway
) -> None:
    from playwright.async_api import expect

    async for phone in open_console({"width": 390, "height": 844}):
        await phone.goto(handoff.url + "/admin")
        await expect(phone.locator("body[data-ready=true]")).to_have_count(1)
        await phone.get_by_test_id("admin-key").fill(ADMIN_KEY)
        await phone.get_by_test_id("sign-in").click()
        await phone.locator("[data-tenant-id]").first.click()
        widget = phone.get_by_test_id("preview-widget")
        await expect(widget).to_have_attribute("data-status", "online")
        assert await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        editor = await phone.get_by_test_id("editor-title").bounding_box()
        preview = await widget.bounding_box()
        assert editor is not None
        assert preview is not None
        assert preview["y"] > editor["y"]  # stacked, not side by side
        assert await axe_violations(phone) == []
