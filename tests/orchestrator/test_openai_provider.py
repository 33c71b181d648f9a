"""The OpenAI-compatible path through the real openai SDK against the fake server."""

import asyncio
import sys

import httpx
import pytest
from openai import APIError, AsyncOpenAI

from orchestrator.graph import build_graph
from orchestrator.inprocess import run_turn, stream_turn
from orchestrator.memory_gate import MemoryGate
from orchestrator.providers import OpenAIProvider
from orchestrator.providers.openai_provider import event_text
from orchestrator.turns import Orchestrator, answer
from services.nats_embedded import free_port, wait_for_port
from shared.tenants import Tenant, TenantDirectory
from tests.fakes.openai_server import FakeOpenAI, FakeOpenAIThread, chunk_text, fake_openai
from tests.orchestrator._helpers import Recorder, user_message


async def test_deltas_concatenate_to_the_scripted_reply(acme: Tenant) -> None:
    reply = "Express shipping costs $14.95 and takes 1 to 2 business days."
    async with FakeOpenAI(replies=[reply]) as fake:
        provider = OpenAIProvider(fake.base_url, "test-key", "fake-model")
        chunks = [c async for c in stream_turn(acme, "What does express shipping cost?", provider)]
        await provider.aclose()
    assert chunks == chunk_text(reply)
    assert "".join(chunks) == reply
    request = fake.requests[0]
    assert request["stream"] is True
    assert request["model"] == "fake-model"
    system = request["messages"][0]
    assert system["role"] == "system"
    assert "Acme Outdoor" in system["content"]
    assert "$14.95" in system["content"]  # retrieved passages are in the prompt
    assert request["messages"][-1] == {"role": "user", "content": "What does express shipping cost?"}


async def test_second_turn_request_contains_first_question_and_answer(acme: Tenant) -> None:
    graph = build_graph()
    async with FakeOpenAI(replies=["It costs $14.95.", "Yes, Canada too."]) as fake:
        provider = OpenAIProvider(fake.base_url, None, "fake-model")
        first = await run_turn(acme, "Express shipping price?", provider, graph=graph, conversation_id="c1")
        second = await run_turn(acme, "Do you ship to Canada?", provider, graph=graph, conversation_id="c1")
        await provider.aclose()
    assert (first, second) == ("It costs $14.95.", "Yes, Canada too.")
    assert fake.requests[1]["messages"][1:] == [
        {"role": "user", "content": "Express shipping price?"},
        {"role": "assistant", "content": "It costs $14.95."},
        {"role": "user", "content": "Do you ship to Canada?"},
    ]


async def test_replies_can_be_a_function_of_the_messages() -> None:
    async with FakeOpenAI(replies=lambda messages: f"echo: {messages[-1]['content']}") as fake:
        client = AsyncOpenAI(base_url=fake.base_url, api_key="x")
        completion = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "ping"}], stream=False
        )
        models = await client.models.list()
        await client.close()
    assert completion.choices[0].message.content == "echo: ping"
    assert [m.id for m in models.data] == ["fake-model"]


async def test_cancelling_closes_the_model_stream(acme: Tenant) -> None:
    async with FakeOpenAI(replies=["one two three four five six"], chunk_delay=0.05) as fake:
        provider = OpenAIProvider(fake.base_url, None, "m")
        got_one = asyncio.Event()
        parts: list[str] = []

        async def consume() -> None:
            async for chunk in provider.stream([{"role": "user", "content": "hi"}], [], acme):
                parts.append(chunk)
                got_one.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(got_one.wait(), 5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await provider.aclose()
    assert task.cancelled()
    assert 1 <= len(parts) < 6


async def test_runs_as_a_process() -> None:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.openai_server", "--port", str(port), "--reply", "from a process"
    )
    try:
        await asyncio.to_thread(wait_for_port, "127.0.0.1", port, 15.0)
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"http://127.0.0.1:{port}/v1/chat/completions",
                json={"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True},
            )
        lines = [line for line in response.text.splitlines() if line.startswith("data: ")]
        assert lines[-1] == "data: [DONE]"
        assert '"chat.completion.chunk"' in lines[1]
        assert "process" in response.text
    finally:
        proc.terminate()
        await proc.wait()


async def test_url_only_helper_and_thread_mode(acme: Tenant) -> None:
    async with fake_openai("in the loop") as base_url:
        provider = OpenAIProvider(base_url, None, "m")
        assert await run_turn(acme, "hi", provider) == "in the loop"
        await provider.aclose()
    with FakeOpenAIThread(replies=["from a thread"]) as fake:
        provider = OpenAIProvider(fake.base_url, None, "m")
        assert await run_turn(acme, "hi", provider) == "from a thread"
        await provider.aclose()
    assert len(fake.requests) == 1


async def test_unreachable_model_ends_the_reply_with_an_error_notice(acme: Tenant) -> None:
    recorder = Recorder()
    dead = f"http://127.0.0.1:{free_port()}/v1"
    provider = OpenAIProvider(dead, None, "m", client=AsyncOpenAI(base_url=dead, api_key="x", max_retries=0))
    orch = Orchestrator(
        tenants=TenantDirectory(tenants=[acme]),
        graph=build_graph(),
        provider_for=lambda tenant: provider,
        publish=recorder,
        gate=MemoryGate(),
    )
    assert await answer(orch, acme, user_message("c1", 1)) == "failed"
    await provider.aclose()
    assert [e.type for e in recorder.events if e.type != "typing"] == [
        "message.created",
        "message.cancelled",
        "notice",
    ]


def test_event_lines_give_their_text_and_an_error_payload_raises() -> None:
    chunk = '{"choices": [{"index": 0, "delta": {"content": "Hello"}, "finish_reason": null}]}'
    assert event_text(f"data: {chunk}", None) == "Hello"
    assert event_text('data: {"choices": [{"index": 0, "delta": {"role": "assistant"}}]}', None) == ""
    assert event_text('data: {"choices": []}', None) == ""  # e.g. a usage-only chunk
    assert [event_text(line, None) for line in ("", ": keep-alive", "event: message", "data: [DONE]")] == [""] * 4
    with pytest.raises(APIError, match="overloaded"):
        event_text('data: {"error": {"message": "model overloaded", "type": "server_error"}}', None)


async def test_a_model_that_stalls_ends_the_reply_with_an_error_notice(acme: Tenant) -> None:
    """No bytes for longer than the timeout: the turn fails cleanly instead of holding its conversation."""
    recorder = Recorder()
    async with FakeOpenAI(replies="never finished", chunk_delay=30.0) as fake:
        provider = OpenAIProvider(fake.base_url, None, "m", timeout_s=0.3)
        orch = Orchestrator(
            tenants=TenantDirectory(tenants=[acme]),
            graph=build_graph(),
            provider_for=lambda tenant: provider,
            publish=recorder,
            gate=MemoryGate(),
        )
        assert await answer(orch, acme, user_message("c1", 1)) == "failed"
        await provider.aclose()
    assert [e.type for e in recorder.events if e.type != "typing"][-1] == "notice"
