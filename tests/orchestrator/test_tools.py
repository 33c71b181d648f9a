"""The tool loop against the scripted OpenAI-compatible server: tool-call deltas, parallel calls, failures."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.graph import build_graph
from orchestrator.memory_gate import MemoryGate
from orchestrator.providers import OpenAIProvider
from orchestrator.tools import MAX_TOOL_ROUNDS, TOOL_FAILED
from orchestrator.turns import Orchestrator, handle_user_message
from shared.actions import ToolRequest
from shared.events import MessageCompleted
from shared.events.components import Card, Carousel
from shared.tenants import Handler, Tenant, TenantDirectory, Tool
from shared.webhooks.signing import verify
from tests.fakes.business_endpoint import BusinessEndpoint, Call
from tests.fakes.openai_server import FakeOpenAI, ToolCallsReply
from tests.orchestrator._helpers import Recorder, user_message
from tests.shared.webhook_fixtures import HOOK_SECRET

STORE_TOOLS = [
    Tool(
        name="search_products",
        description="Show products matching a query as a carousel.",
        parameters={"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
        handler=Handler(builtin="store"),
    ),
    Tool(
        name="track_order",
        description="Look up an order's status.",
        parameters={
            "type": "object",
            "properties": {"order_number": {"type": "string"}, "email": {"type": "string"}},
            "required": ["order_number", "email"],
        },
        handler=Handler(builtin="store"),
    ),
]


def with_tools(acme: Tenant, tools: list[Tool]) -> TenantDirectory:
    return TenantDirectory(tenants=[acme.model_copy(update={"tools": tools, "webhook_allowed_hosts": ["127.0.0.1"]})])


async def turn(
    directory: TenantDirectory, fake: FakeOpenAI, text: str = "Show me tents and track A1001"
) -> MessageCompleted:
    recorder = Recorder()
    provider = OpenAIProvider(fake.base_url, None, "fake-model")
    orch = Orchestrator(
        tenants=directory, graph=build_graph(), provider_for=lambda t: provider, publish=recorder, gate=MemoryGate()
    )
    assert await handle_user_message(orch, user_message("conv-tools", 1, text), None) == "ack"
    await provider.aclose()
    await orch.aclose()
    (completed,) = recorder.of("message.completed")
    assert isinstance(completed, MessageCompleted)
    return completed


async def test_parallel_builtin_tools_stream_their_components_into_the_reply(acme: Tenant) -> None:
    calls = ToolCallsReply(
        [
            ("search_products", {"query": "tents"}),
            ("track_order", {"order_number": "A1001", "email": "demo@example.com"}),
        ],
        text="Let me look. ",
    )
    async with FakeOpenAI(replies=[calls, "Here are our tents, and order A1001 has shipped."]) as fake:
        completed = await turn(with_tools(acme, STORE_TOOLS), fake)
    assert completed.text == "Let me look. Here are our tents, and order A1001 has shipped."
    carousel, status = completed.components
    assert isinstance(carousel, Carousel)
    assert {c.title for c in carousel.cards} == {"Trail Tent 2P", "Basecamp Tent 4P"}
    assert isinstance(status, Card)
    assert (status.title, status.subtitle) == ("Order A1001", "Shipped")
    first, second = fake.requests
    assert [t["function"]["name"] for t in first["tools"]] == ["search_products", "track_order"]
    assert first["tools"][0]["function"]["parameters"]["required"] == ["query"]
    asked, *results = second["messages"][-3:]
    assert asked["role"] == "assistant"
    assert [c["id"] for c in asked["tool_calls"]] == calls.ids
    assert json.loads(asked["tool_calls"][1]["function"]["arguments"])["order_number"] == "A1001"
    assert [r["tool_call_id"] for r in results] == calls.ids
    assert all(json.loads(r["content"])["ok"] for r in results)
    assert "Shipped" in json.loads(results[1]["content"])["result"]


async def test_an_endpoint_tool_gets_a_signed_call_and_its_answer(acme: Tenant) -> None:
    def business(call: Call) -> tuple[int, Any]:
        request = ToolRequest.model_validate(verify(HOOK_SECRET, call.body, call.headers))
        card = {"type": "card", "title": f"Store in {request.arguments['city']}", "text": "Open 9-18"}
        return 200, {"reply": {"text": "Open 9 to 18 today.", "components": [card]}}

    async with BusinessEndpoint(business) as endpoint:
        tool = Tool(
            name="store_hours",
            description="Opening hours of a store.",
            parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            handler=Handler(url=endpoint.url, secret=HOOK_SECRET),
        )
        async with FakeOpenAI(replies=[ToolCallsReply([("store_hours", {"city": "Leeds"})]), "Open 9-18."]) as fake:
            completed = await turn(with_tools(acme, [tool]), fake, "Is the Leeds store open?")
    (call,) = endpoint.calls
    assert call.headers["x-switchboard-event"] == "tool.call"
    assert call.json()["arguments"] == {"city": "Leeds"}
    assert completed.text == "Open 9-18."
    (card,) = completed.components
    assert isinstance(card, Card)
    assert card.title == "Store in Leeds"
    result = json.loads(fake.requests[1]["messages"][-1]["content"])
    assert result["result"] == "Open 9 to 18 today."
    assert result["shown_to_visitor"] == ["Card “Store in Leeds”"]


async def test_a_failing_tool_is_reported_to_the_model_and_never_leaves_an_empty_reply(acme: Tenant) -> None:
    async with BusinessEndpoint(lambda call: (503, {})) as endpoint:
        tool = Tool(
            name="store_hours",
            description="Opening hours.",
            parameters={"type": "object", "properties": {"city": {"type": "string"}}},
            handler=Handler(url=endpoint.url, secret=HOOK_SECRET, timeout_s=1, retries=1),
        )
        bad_args = ToolCallsReply([("store_hours", {"city": 7}), ("no_such_tool", {})])
        async with FakeOpenAI(replies=[ToolCallsReply([("store_hours", {"city": "Leeds"})]), bad_args, ""]) as fake:
            completed = await turn(with_tools(acme, [tool]), fake, "Is the Leeds store open?")
    assert len(endpoint.calls) == 2  # one retry, then given up
    assert completed.text == TOOL_FAILED
    failed = json.loads(fake.requests[1]["messages"][-1]["content"])
    assert failed["ok"] is False
    assert "503" in failed["error"]
    wrong_type, unknown = (json.loads(m["content"]) for m in fake.requests[2]["messages"][-2:])
    assert "do not match the tool's parameters: 7 is not of type 'string'" in wrong_type["error"]
    assert unknown["error"] == "there is no tool named 'no_such_tool'"
    assert len(endpoint.calls) == 2  # a call with bad arguments never reaches the endpoint


async def test_a_model_that_keeps_calling_tools_is_stopped(acme: Tenant) -> None:
    forever = ToolCallsReply([("search_products", {"query": "tents"})])
    async with FakeOpenAI(replies=[forever]) as fake:
        completed = await turn(with_tools(acme, STORE_TOOLS), fake)
    assert len(fake.requests) == MAX_TOOL_ROUNDS + 1
    assert completed.text == TOOL_FAILED
    assert len(completed.components) == MAX_TOOL_ROUNDS  # each round's carousel was shown


def test_a_tool_with_a_bad_schema_is_refused_at_load() -> None:
    import pytest

    with pytest.raises(ValueError, match="JSON Schema"):
        Tool(name="x", description="d", parameters={"type": "nonsense"}, handler=Handler(builtin="store"))
