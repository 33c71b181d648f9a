"""AG-UI: POST /agui (SSE) and /agui/ws against a real orchestrator, parsed with ag-ui-protocol's types,
and the official JavaScript client (@ag-ui/client from npm, run with node) receiving the text."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from ag_ui.core import Event, RunAgentInput, UserMessage
from faststream.nats import NatsBroker
from pydantic import TypeAdapter
from websockets.asyncio.client import connect

from orchestrator.turns import Orchestrator
from shared.bus import emit
from shared.events import Author, HandoffAccepted, HandoffEnded, MessageCompleted
from shared.events import UserMessage as UserMessageEvent
from shared.events.components import Button, Buttons
from tests.frontends.clients import sse_data
from tests.gateway.conftest import GatewayClient

pytestmark = pytest.mark.connected
EVENT = TypeAdapter[Any](Event)
JS = Path(__file__).parent / "js"
TIMEOUT = 20.0


def run_input(thread_id: str, text: str) -> RunAgentInput:
    return RunAgentInput(
        thread_id=thread_id,
        run_id=uuid.uuid4().hex,
        messages=[UserMessage(id=f"u-{uuid.uuid4().hex[:12]}", content=text)],
        tools=[],
        context=[],
        state={},
        forwarded_props={},
    )


async def run(gateway: GatewayClient, token: str, body: RunAgentInput, during: Any = None) -> list[Any]:
    """POST /agui; every SSE payload parsed with ag-ui-protocol's Event union. ``during`` runs once the run started."""
    events: list[Any] = []
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    content = body.model_dump_json(by_alias=True)
    async with (
        asyncio.timeout(TIMEOUT),
        gateway.http.stream("POST", "/agui", content=content, headers=headers, timeout=None) as response,
    ):
        assert response.status_code == 200, (await response.aread()).decode()
        async for data in sse_data(response):
            events.append(EVENT.validate_json(data))
            if during is not None and events[-1].type == "STATE_SNAPSHOT":
                await during()
                during = None
    return events


def types(events: list[Any]) -> list[str]:
    return [e.type.value for e in events]


async def test_agui_run_streams_the_reply(gateway: GatewayClient, orchestrator: Orchestrator) -> None:
    session = await gateway.session()
    events = await run(
        gateway, session["token"], run_input(session["conversation_id"], "What does express shipping cost?")
    )
    assert {e.name for e in events if e.type.value == "CUSTOM"} <= {"switchboard.typing"}
    kinds = [k for k in types(events) if k != "CUSTOM"]
    assert kinds[:3] == ["RUN_STARTED", "STATE_SNAPSHOT", "TEXT_MESSAGE_START"]
    assert kinds[-2:] == ["TEXT_MESSAGE_END", "RUN_FINISHED"]
    assert set(kinds[3:-2]) == {"TEXT_MESSAGE_CONTENT"}
    assert events[1].snapshot["handoff"] == "ai"
    text = "".join(e.delta for e in events if e.type.value == "TEXT_MESSAGE_CONTENT")
    assert "$14.95" in text


async def test_agui_handoff_components_and_custom_events(gateway: GatewayClient, broker: NatsBroker) -> None:
    session = await gateway.session()
    thread = session["conversation_id"]
    ids = {"tenant_id": "acme", "conversation_id": thread}
    sam = Author(name="Sam")

    async def person_takes_over() -> None:
        await emit(broker, HandoffAccepted(**ids, agent=sam))
        menu = Buttons(id="menu", buttons=[Button(label="Refund", action="refund")])
        await emit(
            broker,
            MessageCompleted(
                **ids, message_id="agent-1", role="agent", text="Sam here.", author=sam, components=[menu]
            ),
        )

    events = await run(gateway, session["token"], run_input(thread, "A person please"), during=person_takes_over)
    kinds = types(events)
    assert [e.name for e in events if e.type.value == "CUSTOM"] == ["switchboard.handoff.accepted"]
    states = [e.snapshot for e in events if e.type.value == "STATE_SNAPSHOT"]
    assert [(s["handoff"], s["agent"]) for s in states] == [("ai", None), ("assigned", "Sam")]
    [start] = [e for e in events if e.type.value == "TEXT_MESSAGE_START"]
    assert (start.message_id, start.name) == ("agent-1", "Sam")
    assert "".join(e.delta for e in events if e.type.value == "TEXT_MESSAGE_CONTENT") == "Sam here."
    call = kinds.index("TOOL_CALL_START")
    assert kinds[call : call + 3] == ["TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END"]
    assert events[call].tool_call_name == "show_buttons"
    assert events[call].parent_message_id == "agent-1"
    assert json.loads(events[call + 1].delta)["buttons"][0]["action"] == "refund"
    assert kinds[-1] == "RUN_FINISHED"  # the person answered: the run is over

    async def person_leaves() -> None:
        await emit(broker, HandoffEnded(**ids, outcome="resolved", agent=sam))

    events = await run(gateway, session["token"], run_input(thread, "Thanks, bye"), during=person_leaves)
    assert [e.snapshot["handoff"] for e in events if e.type.value == "STATE_SNAPSHOT"] == ["assigned", "resolved"]
    assert [e.name for e in events if e.type.value == "CUSTOM"] == ["switchboard.handoff.ended"]
    assert types(events)[-1] == "RUN_FINISHED"


async def test_agui_websocket_runs_and_delivers_between_runs(
    gateway: GatewayClient, orchestrator: Orchestrator, broker: NatsBroker
) -> None:
    session = await gateway.session()
    thread = session["conversation_id"]
    url = f"{gateway.base_url.replace('http', 'ws', 1)}/agui/ws?token={session['token']}"
    async with connect(url) as ws:

        async def until(kind: str) -> list[Any]:
            seen = []
            async with asyncio.timeout(TIMEOUT):
                while not seen or seen[-1].type.value != kind:
                    seen.append(EVENT.validate_json(await ws.recv()))
            return seen

        await ws.send(run_input(thread, "Do boots run small?").model_dump_json(by_alias=True))
        first = await until("RUN_FINISHED")
        assert types(first)[0] == "RUN_STARTED"
        assert any(e.type.value == "TEXT_MESSAGE_CONTENT" for e in first)
        # Between runs: what a person says arrives without a run.
        await emit(
            broker,
            MessageCompleted(
                tenant_id="acme", conversation_id=thread, message_id="later", role="agent", text="Still there?"
            ),
        )
        later = await until("TEXT_MESSAGE_END")
        assert [e.delta for e in later if e.type.value == "TEXT_MESSAGE_CONTENT"] == ["Still there?"]
        await ws.send("not json")
        assert json.loads(await ws.recv())["type"] == "RUN_ERROR"


def npm_ready() -> None:
    if (JS / "node_modules" / "@ag-ui" / "client").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot install @ag-ui/client")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, capture_output=True, timeout=300)


async def test_official_agui_js_client_receives_the_text(gateway: GatewayClient, orchestrator: Orchestrator) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the official AG-UI JavaScript client cannot run")
    await asyncio.to_thread(npm_ready)
    session = await gateway.session()
    args = [
        node,
        "run-agent.mjs",
        gateway.base_url,
        session["token"],
        session["conversation_id"],
        "What does express shipping cost?",
    ]
    proc = await asyncio.create_subprocess_exec(
        *args, cwd=JS, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    seen = json.loads(out.decode().strip().splitlines()[-1])
    assert seen["error"] is None, seen
    assert "$14.95" in seen["text"]
    assert seen["types"][0] == "RUN_STARTED"
    assert seen["types"][-1] == "RUN_FINISHED"
    assert seen["state"]["handoff"] == "ai"
    assert [m["role"] for m in seen["messages"]] == ["user", "assistant"]
    assert seen["messages"][1]["content"] == seen["text"]


async def test_agui_refuses_bad_input_and_other_visitors_threads(gateway: GatewayClient, broker: NatsBroker) -> None:
    mine, other = await gateway.session(), await gateway.session()
    headers = {"Authorization": f"Bearer {mine['token']}"}
    response = await gateway.http.post("/agui", content=b'{"threadId": "x"}', headers=headers)
    assert response.status_code == 400
    assert "RunAgentInput" in response.text
    # Someone else's conversation, once it has a message of theirs, is not found.
    await emit(
        broker,
        UserMessageEvent(
            tenant_id="acme", conversation_id=other["conversation_id"], message_id="m1", client_id="c1",
            visitor_id=other["visitor_id"], text="mine",
        ),
    )  # fmt: skip
    body = run_input(other["conversation_id"], "let me in").model_dump_json(by_alias=True)
    response = await gateway.http.post("/agui", content=body, headers=headers)
    assert response.status_code == 404
    response = await gateway.http.post("/agui", content=body)
    assert response.status_code == 401
