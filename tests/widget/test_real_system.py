"""The widget against the whole system as `make run` starts it (runner, embedded NATS, the
real orchestrator with the offline answerer): ask, get a streamed grounded answer; kill the
gateway process, the supervisor restarts it, the widget resumes; nothing lost or doubled."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.system import RunningSystem
from tests.widget.conftest import artifact, conversation_of

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with RunningSystem(tmp_path_factory.mktemp("widget-system")) as running:
        yield running


async def ask(widget: Any, text: str) -> None:
    box = widget.locator('textarea[part~="input"]')
    await box.fill(text)
    await box.press("Enter")


async def test_real_answer_then_gateway_restart(page: Any, system: RunningSystem) -> None:
    await page.goto(system.gateway_url + "/demo")
    widget = page.locator('switchboard-chat[widget-key="pk_demo_acme"]')
    await widget.locator('[part~="launcher"]').click()
    await conversation_of(page, 'switchboard-chat[widget-key="pk_demo_acme"]')
    # The backend greets a new conversation (the tenant's welcome, with starter prompts).
    welcome = widget.locator('[part~="row-assistant"]').first
    await expect(welcome.locator('[part~="content"]')).to_contain_text("Hi, I'm Ada from Acme Outdoor!")
    await expect(welcome.locator('[part~="quick-reply"]')).to_have_text(
        ["Show me tents", "Track my order", "What is your return policy?"]
    )
    await ask(widget, "How long do I have to return an item?")
    answer = widget.locator('[part~="row-assistant"]').nth(1)
    await expect(answer).to_have_class("row assistant", timeout=30_000)  # completed: no longer streaming
    await expect(answer.locator('[part~="content"]')).to_contain_text("return")
    await expect(answer.locator('[part~="sources"]')).to_be_visible()
    # The passage it quotes as reference 1 (only that one), not named again in the text.
    await expect(answer.locator('[part~="citation-number"]')).to_have_text(["1"])
    await expect(answer.locator('[part~="content"]')).not_to_contain_text("Source")
    await widget.locator('[part~="panel"]').screenshot(path=artifact("real-system-acme.png"))

    old = system.kill("gateway#0", signal.SIGKILL)
    await expect(widget).to_have_attribute("data-status", "reconnecting")
    await asyncio.to_thread(system.wait_restarted, "gateway#0", old)
    await expect(widget).to_have_attribute("data-status", "online", timeout=30_000)
    await ask(widget, "And what about the warranty?")
    second = widget.locator('[part~="row-assistant"]').nth(2)
    await expect(second).to_have_class("row assistant", timeout=30_000)
    await expect(second.locator('[part~="content"]')).to_contain_text("warrant")
    await expect(widget.locator('[part~="row-visitor"] [part~="content"]')).to_have_text(
        ["How long do I have to return an item?", "And what about the warranty?"]
    )
    await expect(widget.locator('[part~="row-assistant"]')).to_have_count(3)
