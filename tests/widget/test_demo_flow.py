"""The backend-driven demo in Chromium against the whole system as `make run` starts it (offline
answerer, no model): the welcome, a product carousel and its buttons, the order form with a
refused value then a fixed one, and the "I don't know" answer whose quick reply asks for a human."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.system import RunningSystem
from tests.widget.conftest import artifact, conversation_of

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
ACME = 'switchboard-chat[widget-key="pk_demo_acme"]'
SLOW = 30_000  # a cold system: the first turn loads the knowledge base


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with RunningSystem(tmp_path_factory.mktemp("demo-flow")) as running:
        yield running


async def ask(widget: Any, text: str) -> None:
    box = widget.locator('textarea[part~="input"]')
    await box.fill(text)
    await box.press("Enter")


async def test_carousel_cart_order_form_and_a_human(page: Any, system: RunningSystem) -> None:
    await page.goto(system.gateway_url + "/demo")
    widget = page.locator(ACME)
    await widget.locator('[part~="launcher"]').click()
    await conversation_of(page, ACME)
    assistant = widget.locator('[part~="row-assistant"]')
    await expect(assistant.first.locator('[part~="quick-reply"]')).to_have_count(3, timeout=SLOW)

    # A starter prompt (from the tenant's welcome) asks for tents: a carousel comes back.
    await assistant.first.get_by_role("button", name="Show me tents").click()
    carousel = widget.locator('[part~="carousel"]')
    await expect(carousel.locator('[part~="card-title"]')).to_have_text(
        ["Trail Tent 2P", "Basecamp Tent 4P"], timeout=SLOW
    )
    await expect(carousel.locator('[part~="card-subtitle"]').first).to_have_text("$249.00")
    await expect(carousel.locator('img[part~="card-image"]').first).to_have_attribute(
        "src", system.gateway_url + "/static/demo/products/tent.svg"
    )
    await carousel.get_by_role("button", name="Add to cart").first.click()
    status = widget.locator('[part~="component-carousel"] [part~="component-status"]')
    await expect(status).to_have_text("✓ Trail Tent 2P added to your cart.")
    await expect(assistant.nth(2).locator('[part~="content"]')).to_contain_text("Added the Trail Tent 2P ($249.00)")
    await widget.locator('[part~="panel"]').screenshot(path=artifact("demo-carousel.png"))

    # The order form: an order that does not exist is refused under its field; fixed, a status card.
    await ask(widget, "Track my order")
    form = widget.locator('[part~="form"]')
    await expect(form).to_be_visible(timeout=SLOW)
    await form.locator('input[name="order_number"]').fill("A9999")
    await form.locator('input[name="email"]').fill("demo@example.com")
    await form.get_by_role("button", name="Track").click()
    error = form.locator('[part~="field-error"]')
    await expect(error).to_contain_text("couldn't find order A9999")
    await expect(form.locator('input[name="order_number"]')).to_have_attribute("aria-invalid", "true")
    await expect(form.locator('input[name="email"]')).to_have_value("demo@example.com")  # kept
    await widget.locator('[part~="panel"]').screenshot(path=artifact("demo-form-error.png"))
    await form.locator('input[name="order_number"]').fill("A1001")
    await form.get_by_role("button", name="Track").click()
    card = widget.locator('[part~="component-card"]').last
    await expect(card.locator('[part~="card-title"]')).to_have_text("Order A1001", timeout=SLOW)
    await expect(card.locator('[part~="card-subtitle"]')).to_have_text("Shipped")
    await expect(error).to_have_count(0)
    await expect(form.get_by_role("button", name="Track")).to_be_disabled()
    await widget.locator('[part~="panel"]').screenshot(path=artifact("demo-status-card.png"))

    # Outside the knowledge base: said plainly, and one tap asks for a person.
    await ask(widget, "What is the capital of France?")
    offer = widget.get_by_role("button", name="Yes, connect me with a person")
    await expect(offer).to_be_visible(timeout=SLOW)
    await expect(assistant.last.locator('[part~="content"]')).to_contain_text("I don't know the answer")
    await offer.click()
    # Nobody is online in the demo: the handoff service says so and Ada keeps helping.
    await expect(widget.get_by_role("note").get_by_text("No one from our team is online")).to_be_visible(timeout=SLOW)
    # Words the business wrote (the welcome, the cart's reply) are not checked against sources.
    flagged = widget.locator('[part~="row-assistant"]:has([part~="flag-note"]) [part~="content"]')
    await expect(flagged).to_have_count(0)
