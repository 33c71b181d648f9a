"""The LLM digest through the real openai SDK against a scripted OpenAI-compatible transport."""

from __future__ import annotations

import asyncio
import json

import httpx
from openai import AsyncOpenAI

from orchestrator.workers.digest import Digest, Turn, offline_digest
from orchestrator.workers.llm import choose_summarizer, llm_summarizer, parse_digest
from shared.settings import Settings
from tests.conftest import TEST_SECRET

TURNS = [Turn("visitor", "My parcel never arrived, order 1234."), Turn("assistant", "I am sorry, let me check.")]


def completion(content: str) -> dict[str, object]:
    return {
        "id": "c1", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
    }  # fmt: skip


def client_answering(content: str | None, seen: list[dict[str, object]]) -> AsyncOpenAI:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        if content is None:
            return httpx.Response(500, json={"error": {"message": "boom"}})
        return httpx.Response(200, json=completion(content))

    http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return AsyncOpenAI(base_url="http://llm.test/v1", api_key="k", http_client=http, max_retries=0)


async def test_llm_digest_uses_the_models_json() -> None:
    seen: list[dict[str, object]] = []
    reply = 'Sure: {"title": "Lost parcel 1234", "summary": "Parcel missing.", "tags": ["Delivery", "parcel"]}'
    digest = await llm_summarizer(client_answering(reply, seen), "small-model")(TURNS)
    assert digest == Digest(title="Lost parcel 1234", summary="Parcel missing.", tags=["delivery", "parcel"])
    assert seen[0]["model"] == "small-model"
    assert "visitor: My parcel never arrived" in str(seen[0]["messages"])


async def test_llm_failure_falls_back_to_the_offline_digest() -> None:
    digest = await llm_summarizer(client_answering(None, []), "m")(TURNS)
    assert digest == offline_digest(TURNS)


def test_parse_digest_fills_missing_fields_from_the_fallback() -> None:
    fallback = Digest(title="t", summary="s", tags=["x"])
    assert parse_digest('{"title": "Only a title"}', fallback) == Digest(title="Only a title", summary="s", tags=["x"])


async def test_offline_unless_a_model_server_is_configured() -> None:
    settings = Settings(environment="test", secret_key=TEST_SECRET)
    assert await choose_summarizer(settings)(TURNS) == offline_digest(TURNS)


async def test_a_model_that_never_answers_gets_the_offline_digest_after_the_timeout() -> None:
    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)  # reads the request, never answers
        await asyncio.Event().wait()

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = Settings(
        environment="test", secret_key=TEST_SECRET, llm_base_url=f"http://127.0.0.1:{port}/v1", llm_api_key="k"
    )
    try:
        digest = await asyncio.wait_for(choose_summarizer(settings, timeout_s=0.3)(TURNS), 20)
    finally:
        server.close()
    assert digest == offline_digest(TURNS)
