"""Proactive nudges: the assistant speaks first on a page, or after a visitor's silence; rate-limited per visitor."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from types import SimpleNamespace

import nats
import pytest

from gateway.commands import Visitor
from gateway.limits import SharedLimits
from gateway.nudges import Activity, Outcome, nudge_event, run_nudges
from shared.bus import ensure_streams
from shared.config_bucket import open_config_bucket
from shared.settings import Settings
from shared.subjects import CONVERSATION_STATE_BUCKET, mode_key
from shared.tenants import NudgeRule, Nudges, Tenant
from tests.gateway.conftest import TENANTS_YAML, GatewayClient

NUDGES_YAML = TENANTS_YAML.replace(
    "    assistant_name: Ada\n",
    """    assistant_name: Ada
    nudges:
      rules:
        - {when: on_page, path: /pricing, after_s: 0.2, text: "Questions about our plans?", starters: ["Compare plans"]}
        - {when: idle, after_s: 0.3, text: "Still there? I can also get you a person."}
""",
    1,
)


@pytest.fixture
def gateway_settings(connected_settings: Settings, tmp_path: Path) -> Settings:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(NUDGES_YAML)
    return connected_settings.model_copy(update={"heartbeat_s": 30.0, "tenants_file": tenants})


def test_a_nudge_is_the_businesss_words_with_its_quick_replies_once_per_occasion() -> None:
    tenant = Tenant(id="t", name="T", widget_key="k", assistant_name="Ada")
    rule = NudgeRule(when="on_page", after_s=5, text="Need help?", starters=["Yes"])
    visitor = Visitor("t", "c1", "v1")
    event = nudge_event(tenant, visitor, rule, "page:view1:0")
    assert (event.role, event.text, event.generated) == ("assistant", "Need help?", False)
    assert [r.label for r in event.components[0].replies] == ["Yes"]  # type: ignore[union-attr]
    assert nudge_event(tenant, visitor, rule, "page:view1:0").id == event.id, "a retry or a second tab stores it once"
    assert nudge_event(tenant, visitor, rule, "page:view2:0").id != event.id, "another page view is another nudge"


@pytest.mark.connected
async def test_a_visitor_silent_on_a_matching_page_is_nudged(gateway: GatewayClient) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"], page="/pricing/teams") as ws:
        await ws.recv_until("hello")
        nudge = await ws.recv_until("message.completed")
    assert nudge["text"] == "Questions about our plans?"
    assert (nudge["role"], nudge["author"]["name"]) == ("assistant", "Ada")
    assert [r["label"] for r in nudge["components"][0]["replies"]] == ["Compare plans"]


@pytest.mark.connected
async def test_a_visitor_who_went_quiet_mid_conversation_is_nudged(gateway: GatewayClient) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"], page="/blog") as ws:
        await ws.recv_until("hello")
        await ws.send({"type": "message.send", "client_id": "c1", "text": "hi"})
        await ws.recv_until("ack")
        nudge = await ws.recv_until("message.completed")
    assert nudge["text"] == "Still there? I can also get you a person."


class Recorded:
    def __init__(self) -> None:
        self.outcomes: list[tuple[str, Outcome]] = []
        self.changed = asyncio.Event()

    def __call__(self, rule: NudgeRule, what: Outcome) -> None:
        self.outcomes.append((rule.text, what))
        self.changed.set()

    async def until(self, count: int) -> list[tuple[str, Outcome]]:
        async with asyncio.timeout(10):
            while len(self.outcomes) < count:
                self.changed.clear()
                await self.changed.wait()
        return self.outcomes


@pytest.fixture
async def bus_gateway(nats_client: nats.NATS) -> SimpleNamespace:
    """What run_nudges uses of the gateway: JetStream and the shared limits."""
    js = nats_client.jetstream()
    await ensure_streams(js)
    return SimpleNamespace(js=js, limits=await SharedLimits.open(nats_client))


def tenant_with(*rules: NudgeRule, per_hour: int = 3) -> Tenant:
    nudges = Nudges(rules=list(rules), per_visitor_per_hour=per_hour)
    return Tenant(id="acme", name="Acme", widget_key="k", nudges=nudges)


@pytest.mark.connected
async def test_a_visitor_gets_at_most_the_tenants_nudges_per_hour(bus_gateway: SimpleNamespace) -> None:
    first = NudgeRule(when="on_page", after_s=0.05, text="first")
    second = NudgeRule(when="on_page", after_s=0.2, text="second")
    tenant, visitor = tenant_with(first, second, per_hour=1), Visitor("acme", uuid.uuid4().hex, uuid.uuid4().hex)
    recorded = Recorded()
    await run_nudges(bus_gateway, tenant, visitor, "/", "view1", Activity(), recorded)  # type: ignore[arg-type]
    assert await recorded.until(2) == [("first", "sent"), ("second", "limited")]


@pytest.mark.connected
async def test_no_nudge_while_a_human_has_the_conversation(bus_gateway: SimpleNamespace) -> None:
    visitor = Visitor("acme", uuid.uuid4().hex, uuid.uuid4().hex)
    # The bucket as the services open it (another test may have made it already, with their config).
    kv = await open_config_bucket(bus_gateway.js, CONVERSATION_STATE_BUCKET, "Conversation state shared by services.")
    await kv.put(mode_key("acme", visitor.conversation_id), b"assigned")
    recorded = Recorded()
    rule = NudgeRule(when="on_page", after_s=0.05, text="hello?")
    await run_nudges(bus_gateway, tenant_with(rule), visitor, "/", "view1", Activity(), recorded)  # type: ignore[arg-type]
    assert recorded.outcomes == [("hello?", "human")]


async def test_rules_for_other_pages_and_a_visitor_already_talking_do_not_fire() -> None:
    rule = NudgeRule(when="on_page", path="/pricing", after_s=0.05, text="plans?")
    recorded = Recorded()
    gateway = SimpleNamespace()  # touched only to send: never here
    # Another page: nothing to follow, run_nudges returns at once.
    await run_nudges(gateway, tenant_with(rule), Visitor("acme", "c", "v"), "/blog", "v1", Activity(), recorded)  # type: ignore[arg-type]
    # The visitor spoke before the time was up: the page nudge is dropped, not delayed.
    activity = Activity()
    task = asyncio.create_task(
        run_nudges(gateway, tenant_with(rule), Visitor("acme", "c", "v"), "/pricing", "v2", activity, recorded)  # type: ignore[arg-type]
    )
    activity.touch()
    await task
    assert recorded.outcomes == []
