"""Widget actions: checked against their component, dispatched to the tenant's handler, answered once, in order."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.actions import FAILED, NO_HANDLER, NOT_OFFERED
from orchestrator.builtin import store
from orchestrator.graph import build_graph
from orchestrator.memory_gate import MemoryGate
from orchestrator.providers.offline import OfflineProvider
from orchestrator.turns import Orchestrator, handle_user_message
from shared.actions import ActionRequest, validate_form
from shared.events import ComponentUpdated, HandoffRequested, MessageCompleted, UserMessage, WidgetAction
from shared.events.components import Card, Component, Form, FormField, Option
from shared.tenants import Handler, Tenant, TenantDirectory
from shared.webhooks.signing import verify
from tests.fakes.business_endpoint import BusinessEndpoint, Call
from tests.orchestrator._helpers import Recorder
from tests.shared.webhook_fixtures import HOOK_SECRET

CONV = "conv-actions"


@pytest.fixture
def gate() -> MemoryGate:
    return MemoryGate()


@pytest.fixture
def demo(tenants: TenantDirectory, recorder: Recorder, gate: MemoryGate) -> Orchestrator:
    return Orchestrator(
        tenants=tenants, graph=build_graph(), provider_for=lambda t: OfflineProvider(), publish=recorder, gate=gate
    )


def shown(gate: MemoryGate, seq: int, *components: Component, tenant: str = "acme") -> None:
    """The conversation showed ``components`` in a reply stored at ``seq``."""
    reply = MessageCompleted(
        tenant_id=tenant,
        conversation_id=CONV,
        message_id=f"r{seq}",
        role="assistant",
        text="",
        components=list(components),
    )
    gate.stored.setdefault(f"{tenant}.{CONV}", []).append((seq, reply))


def action(n: int, name: str, value: Any, component_id: str | None, tenant: str = "acme") -> WidgetAction:
    return WidgetAction(
        id=f"act-{n}",
        tenant_id=tenant,
        conversation_id=CONV,
        action_id=f"a{n}",
        name=name,
        value=value,
        component_id=component_id,
    )


async def run(orch: Orchestrator, gate: MemoryGate, seq: int, event: WidgetAction | UserMessage) -> None:
    gate.messages.setdefault(f"{event.tenant_id}.{CONV}", []).append((seq, event))
    assert await handle_user_message(orch, event, seq) == "ack"


def updates(recorder: Recorder) -> list[ComponentUpdated]:
    return [e for e in recorder.events if isinstance(e, ComponentUpdated)]


def replies(recorder: Recorder) -> list[MessageCompleted]:
    return [e for e in recorder.events if isinstance(e, MessageCompleted)]


async def test_a_forms_values_are_checked_against_its_own_fields_before_dispatch(
    demo: Orchestrator, gate: MemoryGate, recorder: Recorder
) -> None:
    form = store.track_form().components[0]
    shown(gate, 2, form)
    await run(demo, gate, 3, action(1, "track_order", {"order_number": "", "email": "not-an-email"}, form.id))
    (update,) = updates(recorder)
    assert update.component_id == form.id
    assert update.action_id == "a1"
    assert update.errors == {"order_number": "This field is required.", "email": update.errors["email"]}
    assert "email address" in update.errors["email"]
    assert replies(recorder) == []  # nothing was dispatched


async def test_the_order_form_answers_a_status_card_once_fixed(
    demo: Orchestrator, gate: MemoryGate, recorder: Recorder
) -> None:
    form = store.track_form().components[0]
    shown(gate, 2, form)
    await run(demo, gate, 3, action(1, "track_order", {"order_number": "A9999", "email": "demo@example.com"}, form.id))
    assert "couldn't find order A9999" in (updates(recorder)[0].errors or {})["order_number"]
    await run(demo, gate, 4, action(2, "track_order", {"order_number": "A1002", "email": "demo@example.com"}, form.id))
    last = updates(recorder)[-1]
    assert last.errors is None
    assert last.disabled is True
    assert last.status == "Order A1002: Processing."
    (reply,) = replies(recorder)
    assert reply.role == "assistant"
    (card,) = reply.components
    assert isinstance(card, Card)
    assert (card.title, card.subtitle) == ("Order A1002", "Processing")


async def test_an_action_the_component_does_not_offer_is_refused(
    demo: Orchestrator, gate: MemoryGate, recorder: Recorder
) -> None:
    carousel = store.browse("show me tents", demo.tenants.tenants[0])
    assert carousel is not None
    shown(gate, 2, *carousel.components)
    await run(demo, gate, 3, action(1, "refund_everything", "x", carousel.components[0].id))
    (update,) = updates(recorder)
    assert update.status == NOT_OFFERED
    assert replies(recorder) == []


async def test_add_to_cart_from_the_carousel(demo: Orchestrator, gate: MemoryGate, recorder: Recorder) -> None:
    carousel = store.browse("show me tents", demo.tenants.tenants[0])
    assert carousel is not None
    shown(gate, 2, *carousel.components)
    await run(demo, gate, 3, action(1, "add_to_cart", "tent-trail-2", carousel.components[0].id))
    assert updates(recorder)[0].status == "✓ Trail Tent 2P added to your cart."
    assert replies(recorder)[0].text.startswith("Added the Trail Tent 2P ($249.00)")


async def test_the_handoff_quick_reply_asks_for_a_human(
    demo: Orchestrator, gate: MemoryGate, recorder: Recorder
) -> None:
    await run(demo, gate, 3, action(1, "handoff", "The assistant could not answer", "qr1"))
    (asked,) = [e for e in recorder.events if isinstance(e, HandoffRequested)]
    assert (asked.trigger, asked.reason) == ("visitor", "The assistant could not answer")
    assert updates(recorder)[0].disabled is True


async def test_an_action_while_an_agent_has_the_conversation_is_left_to_the_agent(
    demo: Orchestrator, gate: MemoryGate, recorder: Recorder
) -> None:
    gate.modes[f"acme.{CONV}"] = "assigned"
    await run(demo, gate, 3, action(1, "add_to_cart", "tent-trail-2", None))
    assert recorder.events == []
    assert demo.stats["skipped"] == 1
    assert gate.answered[f"acme.{CONV}"] == 3  # handled: never redone after the hand-back


async def test_actions_and_messages_are_answered_in_conversation_order(
    demo: Orchestrator, gate: MemoryGate, recorder: Recorder
) -> None:
    """The message at seq 5 is delivered first: the action stored before it is answered before it."""
    key = f"acme.{CONV}"
    first = action(1, "add_to_cart", "boots-ridge", None)
    later = UserMessage(
        id="u5", tenant_id="acme", conversation_id=CONV, message_id="m5", client_id="c5", visitor_id="v", text="hi"
    )
    gate.messages[key] = [(4, first), (5, later)]
    assert await handle_user_message(demo, later, 5) == "ack"
    texts = [e.text for e in replies(recorder)]
    assert texts[0].startswith("Added the Ridge Hiking Boots")
    assert texts[1].startswith("Hi! I'm Ada")
    recorder.events.clear()
    assert await handle_user_message(demo, first, 4) == "ack"  # its own delivery: already handled
    assert recorder.events == []


async def test_a_tenant_without_a_handler_is_told_plainly(
    tenants: TenantDirectory, recorder: Recorder, gate: MemoryGate
) -> None:
    orch = Orchestrator(
        tenants=tenants, graph=build_graph(), provider_for=lambda t: OfflineProvider(), publish=recorder, gate=gate
    )
    await run(orch, gate, 3, action(1, "anything", 1, "c1", tenant="initech"))
    assert updates(recorder)[0].status == NO_HANDLER


def with_endpoint(tenants: TenantDirectory, url: str, **handler: Any) -> TenantDirectory:
    acme = tenants.by_id("acme")
    assert acme is not None
    endpoint = Handler(url=url, secret=HOOK_SECRET, **handler)
    changed = acme.model_copy(update={"actions": endpoint, "webhook_allowed_hosts": ["127.0.0.1"]})
    return TenantDirectory(tenants=[changed])


async def test_an_https_handler_gets_a_signed_request_and_its_answer_is_shown(
    tenants: TenantDirectory, recorder: Recorder, gate: MemoryGate
) -> None:
    def business(call: Call) -> tuple[int, Any]:
        request = ActionRequest.model_validate(verify(HOOK_SECRET, call.body, call.headers))
        assert request.component is not None  # the form it came from is sent along
        return 200, {
            "update": {"disabled": True, "status": f"Booked for {request.value['day']}"},
            "reply": {"text": "See you then!", "components": [{"type": "card", "title": "Booking"}]},
        }

    form = Form(
        action="book",
        fields=[FormField(name="day", label="Day", input="select", options=[Option(label="Mon", value="mon")])],
    )
    async with BusinessEndpoint(business) as endpoint:
        orch = Orchestrator(
            tenants=with_endpoint(tenants, endpoint.url),
            graph=build_graph(),
            provider_for=lambda t: OfflineProvider(),
            publish=recorder,
            gate=gate,
        )
        shown(gate, 2, form)
        await run(orch, gate, 3, action(1, "book", {"day": "tue"}, form.id))  # not an option: never sent
        assert endpoint.calls == []
        await run(orch, gate, 4, action(2, "book", {"day": "mon", "extra": "dropped"}, form.id))
        await orch.aclose()
    (call,) = endpoint.calls
    assert call.headers["webhook-id"] == "act-2"
    assert call.headers["x-switchboard-event"] == "widget.action"
    assert call.json()["value"] == {"day": "mon"}
    assert updates(recorder)[0].errors == {"day": "Choose one of: Mon."}
    assert updates(recorder)[1].status == "Booked for mon"
    (reply,) = replies(recorder)
    assert reply.text == "See you then!"
    assert reply.components[0].type == "card"


@pytest.mark.parametrize(
    ("answers", "calls"),
    [
        ([(500, {})], 2),  # failing every attempt: retried once, then given up
        ([None], 2),  # never answering: timed out twice
        ([(200, {"reply": "not an object"})], 1),  # an answer that is not an ActionResult
    ],
)
async def test_a_failing_handler_becomes_a_clear_message_not_a_stuck_component(
    tenants: TenantDirectory, recorder: Recorder, gate: MemoryGate, answers: list[Any], calls: int
) -> None:
    async with BusinessEndpoint(lambda call: answers[0]) as endpoint:
        orch = Orchestrator(
            tenants=with_endpoint(tenants, endpoint.url, timeout_s=0.5, retries=1),
            graph=build_graph(),
            provider_for=lambda t: OfflineProvider(),
            publish=recorder,
            gate=gate,
        )
        await run(orch, gate, 3, action(1, "ping", None, "c1"))
        await orch.aclose()
    assert len(endpoint.calls) == calls
    assert [c.headers["x-switchboard-attempt"] for c in endpoint.calls] == [str(n + 1) for n in range(calls)]
    (update,) = updates(recorder)
    assert update.status == FAILED
    assert update.disabled is None  # still usable: the visitor can try again
    typing = [e for e in recorder.events if e.type == "typing"]
    assert [t.on for t in typing] == [True, False]  # type: ignore[attr-defined]


def test_form_validation_keeps_only_the_forms_fields() -> None:
    form = Form(
        action="f",
        fields=[
            FormField(name="n", label="N", input="number", min="1", max="5"),
            FormField(name="d", label="D", input="date", min="2026-01-01"),
            FormField(name="t", label="T", input="tel"),
        ],
    )
    assert validate_form(form, {"n": "3", "d": "2026-02-01", "t": "+44 20 7946 0000", "x": "y"}) == (
        {"n": "3", "d": "2026-02-01", "t": "+44 20 7946 0000"},
        {},
    )
    clean, errors = validate_form(form, {"n": "9", "d": "2025-12-31", "t": "call me"})
    assert clean == {}
    assert set(errors) == {"n", "d", "t"}
    assert validate_form(form, "not an object")[1] == dict.fromkeys("ndt", "Expected the form's values.")
    assert validate_form(form, {"n": ["list"]})[1]["n"] == "Expected text."


def test_a_handler_needs_exactly_one_kind_and_an_endpoint_a_secret() -> None:
    with pytest.raises(ValueError, match="exactly one of"):
        Handler()
    with pytest.raises(ValueError, match="secret"):
        Handler(url="https://shop.example/actions")
    assert Handler(builtin="store").builtin == "store"


def test_the_demo_tenants_name_their_builtin_handlers(acme: Tenant) -> None:
    assert acme.actions is not None
    assert acme.actions.builtin == "store"
