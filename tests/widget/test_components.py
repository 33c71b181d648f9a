"""Backend-driven UI: every component type renders, sends its action over the socket, and the
backend's component.updated answers it — in headless Chromium against the real gateway."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from shared.events import ComponentUpdated
from shared.events.components import (
    Button,
    Buttons,
    Card,
    Carousel,
    Form,
    FormField,
    Image,
    ListComponent,
    ListItem,
    Option,
    QuickReplies,
)
from tests.widget.conftest import GatewayServer, artifact, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

EMBEDDED = '<div style="height:1600px"><switchboard-chat widget-key="pk_demo_globex"></switchboard-chat></div>'


def showcase() -> list[Any]:
    return [
        Card(
            id="card-1",
            title="Order #1042",
            subtitle="Shipped",
            text="Two items, arriving Friday.",
            buttons=[
                Button(label="Track", action="track_order", value={"order": 1042}, style="primary"),
                Button(label="Invoice", url="https://globex.example/invoice/1042"),
            ],
        ),
        Carousel(
            id="carousel-1",
            cards=[Card(title=f"Plan {n}", buttons=[Button(label="Pick", action="pick", value=n)]) for n in "ABC"],
        ),
        Buttons(
            id="buttons-1", text="Which account?", buttons=[Button(label="Savings", action="account", value="savings")]
        ),
        ListComponent(
            id="list-1",
            title="Recent payments",
            items=[ListItem(title="Rent", subtitle="€900", action="payment", value="p1"), ListItem(title="Gym")],
        ),
        Image(id="image-1", url="https://globex.example/chart.png", alt="Spending chart", caption="Last 30 days"),
        Form(
            id="form-1",
            title="Book a call",
            action="book_call",
            submit_label="Book",
            fields=[
                FormField(name="name", label="Your name", required=True),
                FormField(
                    name="topic",
                    label="Topic",
                    input="select",
                    options=[Option(label="Loans", value="loans"), Option(label="Cards", value="cards")],
                ),
                FormField(name="day", label="Day", input="date", min="2026-01-01"),
            ],
        ),
        QuickReplies(id="qr-1", replies=[Button(label="Thanks!"), Button(label="Talk to someone", action="handoff")]),
    ]


async def test_components_render_act_and_update(page: Any, gateway: GatewayServer, bots: Any) -> None:
    await open_host(page, gateway, host_page(EMBEDDED))
    bot = await bots("globex", await conversation_of(page))
    widget = page.locator("switchboard-chat")
    text = "Here is what I found:"
    bot.streaming["m1"] = text
    await bot.complete("m1", author="Max", components=showcase())

    comp = lambda cid: widget.locator(f'[data-component-id="{cid}"]')  # noqa: E731
    for cid in ("card-1", "carousel-1", "buttons-1", "list-1", "image-1", "form-1", "qr-1"):
        await expect(comp(cid)).to_be_visible()
    await expect(comp("carousel-1").locator('[part~="carousel-slide"]')).to_have_count(3)
    await expect(comp("image-1").locator("img")).to_have_attribute("alt", "Spending chart")
    await expect(comp("card-1").locator("a")).to_have_attribute("href", "https://globex.example/invoice/1042")
    await widget.locator('[part~="panel"]').screenshot(path=artifact("components-globex.png"))

    # A button sends widget.action with its name, value and component id; the component waits.
    track = comp("card-1").get_by_role("button", name="Track")
    await track.click()
    action = await bot.wait_for("widget.action", name="track_order")
    assert action["component_id"] == "card-1"
    assert action["value"] == {"order": 1042}
    await expect(comp("card-1")).to_have_attribute("aria-busy", "true")
    await expect(track).to_be_disabled()
    # The backend answers: a status line, and the card locked for good.
    await bot.emit(
        ComponentUpdated,
        component_id="card-1",
        status="Order #1042 is in Rotterdam.",
        disabled=True,
        action_id=action["action_id"],
    )
    await expect(comp("card-1").locator('[part~="component-status"]')).to_have_text("Order #1042 is in Rotterdam.")
    await expect(comp("card-1")).to_have_attribute("aria-busy", "false")
    await expect(track).to_be_disabled()

    # A form: native validation first, then the values as one action.
    form = comp("form-1")
    await form.get_by_role("button", name="Book").click()
    await expect(form.get_by_label("Your name")).to_be_focused()  # required and empty: not sent
    await form.get_by_label("Your name").fill("Ana")
    await form.get_by_label("Topic").select_option("cards")
    await form.get_by_label("Day").fill("2026-12-03")
    await form.get_by_role("button", name="Book").click()
    booked = await bot.wait_for("widget.action", name="book_call")
    assert booked["value"] == {"name": "Ana", "topic": "cards", "day": "2026-12-03"}
    assert booked["component_id"] == "form-1"
    # The backend replaces the form with a confirmation card.
    await bot.emit(
        ComponentUpdated, component_id="form-1", component=Card(id="form-1", title="Call booked for 3 December")
    )
    await expect(form.locator('[part~="card-title"]')).to_have_text("Call booked for 3 December")
    await expect(form.locator("form")).to_have_count(0)

    # List items and carousel cards act too.
    await comp("list-1").get_by_role("button", name="Rent").click()
    assert (await bot.wait_for("widget.action", name="payment"))["value"] == "p1"
    await comp("carousel-1").get_by_role("button", name="Pick").nth(1).click()
    assert (await bot.wait_for("widget.action", name="pick"))["value"] == "B"

    # A quick reply without an action is sent as the visitor's own message, then goes away.
    await comp("qr-1").get_by_role("button", name="Thanks!").click()
    await bot.wait_for("message.user", text="Thanks!")
    await expect(widget.locator('[part~="quick-reply"]')).to_have_count(0)
    await expect(widget.locator('[part~="row-visitor"] [part~="content"]')).to_have_text("Thanks!")


async def test_custom_renderer_replaces_a_component_type(page: Any, gateway: GatewayServer, bots: Any) -> None:
    script = """<script>addEventListener('DOMContentLoaded', () => {
      const wait = setInterval(() => { if (!window.Switchboard) return; clearInterval(wait);
        Switchboard.registerRenderer('card', (card, ctx) => ctx.h('div', {part: 'fancy-card'},
          ctx.h('b', null, card.title.toUpperCase()),
          ctx.h('button', {type: 'button', onclick: () => ctx.sendAction('fancy', card.title)}, 'Go')));
      }, 5);
    });</script>"""
    await open_host(page, gateway, host_page(EMBEDDED, head=script))
    bot = await bots("globex", await conversation_of(page))
    bot.streaming["m2"] = "A custom card:"
    await bot.complete("m2", components=[Card(id="c9", title="Premium <b>plan</b>")])
    fancy = page.locator('switchboard-chat [part~="fancy-card"]')
    await expect(fancy.locator("b")).to_have_text("PREMIUM <B>PLAN</B>")
    await fancy.get_by_role("button", name="Go").click()
    assert (await bot.wait_for("widget.action", name="fancy"))["value"] == "Premium <b>plan</b>"
