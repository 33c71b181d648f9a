"""The offline demo answers with components: the store's carousel and order form, the bank's booking form."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from orchestrator.builtin import appointments, intent_reply, store
from orchestrator.graph import build_graph
from orchestrator.memory_gate import MemoryGate
from orchestrator.providers.offline import DONT_KNOW, HANDOFF_ACTION, offline_reply
from orchestrator.retrieval import retrieve
from orchestrator.turns import Orchestrator, handle_user_message
from shared.actions import ActionRequest
from shared.events import MessageCompleted
from shared.events.components import Card, Carousel, Form, QuickReplies
from shared.tenants import Tenant, TenantDirectory
from tests.orchestrator._helpers import Recorder, user_message


@pytest.fixture
def globex(tenants: TenantDirectory) -> Tenant:
    tenant = tenants.by_id("globex")
    assert tenant is not None
    return tenant


def reply_for(question: str, tenant: Tenant):  # type: ignore[no-untyped-def]
    return offline_reply(question, retrieve(tenant.knowledge_base, question), tenant)


def test_browsing_products_shows_a_carousel_from_the_catalog(acme: Tenant) -> None:
    reply = reply_for("Can I browse your products?", acme)
    (carousel,) = reply.components
    assert isinstance(carousel, Carousel)
    assert [c.title for c in carousel.cards] == [p.name for p in store.catalog(acme).products]
    first = carousel.cards[0]
    assert first.image_url == "/static/demo/products/tent.svg"
    assert first.subtitle == "$249.00"
    assert [(b.label, b.action, b.value) for b in first.buttons] == [
        ("Details", "product_details", "tent-trail-2"),
        ("Add to cart", "add_to_cart", "tent-trail-2"),
    ]


def test_asking_for_a_category_shows_only_it(acme: Tenant) -> None:
    reply = reply_for("show me tents", acme)
    (carousel,) = reply.components
    assert isinstance(carousel, Carousel)
    assert {c.title for c in carousel.cards} == {"Trail Tent 2P", "Basecamp Tent 4P"}
    assert reply.text.startswith("Here are our tents.")


def test_a_product_the_store_does_not_carry_is_said_so(acme: Tenant) -> None:
    reply = reply_for("do you sell kayaks?", acme)
    assert reply.text.startswith("We don't carry that")
    assert isinstance(reply.components[0], Carousel)


def test_a_knowledge_question_is_still_quoted_not_a_carousel(acme: Tenant) -> None:
    reply = reply_for("Do boots run small?", acme)
    assert reply.components == []
    assert "half size" in reply.text


def test_track_my_order_asks_with_a_form(acme: Tenant) -> None:
    (form,) = reply_for("Where is my order?", acme).components
    assert isinstance(form, Form)
    assert form.action == "track_order"
    assert [(f.name, f.input, f.required) for f in form.fields] == [
        ("order_number", "text", True),
        ("email", "email", True),
    ]


def test_an_uncovered_question_says_so_and_offers_a_human(acme: Tenant) -> None:
    for question in ("What is the capital of France?", "Can I pay in person at a store in Paris?"):
        reply = reply_for(question, acme)
        assert reply.text == DONT_KNOW, question
        (offer,) = reply.components
        assert isinstance(offer, QuickReplies)
        assert offer.replies[0].action == HANDOFF_ACTION


def test_globex_books_through_a_form_with_date_and_time_choices(globex: Tenant) -> None:
    reply = reply_for("I'd like to book an appointment", globex)
    (form,) = reply.components
    assert isinstance(form, Form)
    by_name = {f.name: f for f in form.fields}
    assert by_name["date"].input == "date"
    assert by_name["date"].min == (date.today() + timedelta(days=1)).isoformat()
    assert by_name["time"].input == "select"
    assert "09:30" in [o.value for o in by_name["time"].options]
    assert by_name["topic"].options[0].label == "Mortgage"


def test_no_builtin_handler_means_no_components(tenants: TenantDirectory) -> None:
    initech = tenants.by_id("initech")
    assert initech is not None
    assert intent_reply("show me products", initech) is None


def request(name: str, value: object, tenant: str = "acme") -> ActionRequest:
    return ActionRequest(tenant_id=tenant, conversation_id="c1", action_id="a1", name=name, value=value)


def test_store_adds_to_cart_with_a_status_line_and_a_reply(acme: Tenant) -> None:
    result = store.handle(request("add_to_cart", "boots-ridge"), acme)
    assert result.update is not None
    assert result.update.status == "✓ Ridge Hiking Boots added to your cart."
    assert result.reply is not None
    assert "$159.00" in result.reply.text


def test_store_details_answer_with_the_products_card(acme: Tenant) -> None:
    result = store.handle(request("product_details", "pack-summit-40"), acme)
    assert result.reply is not None
    (card,) = result.reply.components
    assert isinstance(card, Card)
    assert card.title == "Summit Pack 40L"
    assert [b.action for b in card.buttons] == ["add_to_cart"]


def test_order_tracking_refuses_an_unknown_order_then_shows_a_status_card(acme: Tenant) -> None:
    wrong = store.handle(request("track_order", {"order_number": "A9999", "email": "demo@example.com"}), acme)
    assert "couldn't find order A9999" in wrong.errors["order_number"]
    assert wrong.reply is None
    malformed = store.handle(request("track_order", {"order_number": "123", "email": "demo@example.com"}), acme)
    assert "look like A1001" in malformed.errors["order_number"]
    found = store.handle(request("track_order", {"order_number": "a1001", "email": "Demo@Example.com"}), acme)
    assert found.errors == {}
    assert found.update is not None
    assert found.update.disabled is True
    assert found.reply is not None
    (status,) = found.reply.components
    assert isinstance(status, Card)
    assert (status.title, status.subtitle) == ("Order A1001", "Shipped")


def next_weekday(weekday: int) -> date:
    day = date.today() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def test_appointments_refuse_a_weekend_and_confirm_a_weekday(globex: Tenant) -> None:
    values = {"topic": "mortgage", "time": "10:30", "email": "a@example.com"}
    saturday = appointments.handle(request("book_appointment", {**values, "date": next_weekday(5).isoformat()}), globex)
    assert "weekdays only" in saturday.errors["date"]
    tuesday = next_weekday(1)
    booked = appointments.handle(request("book_appointment", {**values, "date": tuesday.isoformat()}), globex)
    assert booked.update is not None
    assert booked.update.disabled is True
    assert booked.reply is not None
    card = booked.reply.components[0]
    assert isinstance(card, Card)
    assert card.title == "Appointment booked"
    assert card.subtitle == f"{tuesday.strftime('%A %-d %B %Y')} at 10:30"


async def test_a_turn_publishes_the_components_with_the_completed_reply(
    tenants: TenantDirectory, recorder: Recorder
) -> None:
    from orchestrator.providers.offline import OfflineProvider

    orch = Orchestrator(
        tenants=tenants,
        graph=build_graph(),
        provider_for=lambda t: OfflineProvider(),
        publish=recorder,
        gate=MemoryGate(),
    )
    assert await handle_user_message(orch, user_message("conv-ui", 1, "show me tents"), None) == "ack"
    (completed,) = recorder.of("message.completed")
    assert isinstance(completed, MessageCompleted)
    assert completed.text.startswith("Here are our tents.")
    (carousel,) = completed.components
    assert isinstance(carousel, Carousel)
    assert len(carousel.cards) == 2
    # The components survive the bus's JSON round trip.
    again = MessageCompleted.model_validate_json(completed.model_dump_json())
    assert again.components == completed.components


async def test_fixed_words_are_marked_not_generated_and_quotes_are(
    tenants: TenantDirectory, recorder: Recorder
) -> None:
    """Guards ground what the model (here the quoting answerer) says, not the business's fixed words."""
    from orchestrator.providers.offline import OfflineProvider

    orch = Orchestrator(
        tenants=tenants,
        graph=build_graph(),
        provider_for=lambda t: OfflineProvider(),
        publish=recorder,
        gate=MemoryGate(),
    )
    for n, text in enumerate(["show me tents", "hello", "What is the capital of France?", "Do boots run small?"]):
        assert await handle_user_message(orch, user_message("conv-gen", n, text), None) == "ack"
    created = [e.generated for e in recorder.of("message.created")]  # type: ignore[attr-defined]
    completed = [e.generated for e in recorder.of("message.completed")]  # type: ignore[attr-defined]
    assert created == completed == [False, False, False, True]
