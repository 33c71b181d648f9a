"""Any OpenAI-compatible chat model (OpenAI, Azure, vLLM, Ollama) through the openai SDK."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from openai import APIError, AsyncOpenAI

from orchestrator.providers.base import ChatMessage
from shared.events import Source
from shared.tenants import Tenant


def sources_block(sources: list[Source]) -> str:
    if not sources:
        return "No knowledge-base passage matched; say you do not know and offer a human agent."
    lines = [f"[{i}] {s.title}: {s.snippet}" for i, s in enumerate(sources, 1)]
    return "Sources:\n" + "\n".join(lines)


def event_text(line: str, request: Any) -> str:
    """The text of one server-sent event line of a streaming chat completion ("" if none).

    OpenAI-compatible servers send each chunk as one ``data: {json}`` line; ``[DONE]``,
    comments and other fields carry no text. An ``error`` payload raises APIError.
    """
    if not line.startswith("data:"):
        return ""
    payload = line[5:].strip()
    if not payload or payload == "[DONE]":
        return ""
    data = json.loads(payload)
    if not isinstance(data, dict):
        return ""
    if error := data.get("error"):
        message = error.get("message") if isinstance(error, dict) else None
        raise APIError(message or "An error occurred during streaming", request=request, body=error)
    choices = data.get("choices") or []
    delta = (choices[0].get("delta") or {}) if choices and isinstance(choices[0], dict) else {}
    content = delta.get("content") if isinstance(delta, dict) else None
    return content if isinstance(content, str) else ""


class OpenAIProvider:
    name = "openai"

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        model: str,
        client: AsyncOpenAI | None = None,
        timeout_s: float = 120.0,
    ) -> None:
        # The SDK refuses a missing key even for local servers that ignore it. Its default
        # timeout (600 s between two reads) would hold a stalled turn, and its conversation, for
        # ten minutes; ours ends it with an error notice instead.
        self.client = client or AsyncOpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            max_retries=1,
            timeout=timeout_s,
        )
        self.model = model

    async def aclose(self) -> None:
        await self.client.close()

    def request_messages(self, messages: list[ChatMessage], sources: list[Source], tenant: Tenant) -> list[ChatMessage]:
        system = tenant.model.system_prompt.format(tenant=tenant.name)
        head: ChatMessage = {"role": "system", "content": f"{system}\n\n{sources_block(sources)}"}
        return [head, *(m for m in messages if m["role"] != "system")]

    async def stream(self, messages: list[ChatMessage], sources: list[Source], tenant: Tenant) -> AsyncIterator[str]:
        request = self.client.chat.completions.with_streaming_response.create(
            model=self.model,
            messages=self.request_messages(messages, sources, tenant),  # type: ignore[arg-type]
            temperature=tenant.model.temperature,
            stream=True,
        )
        # The raw event stream, not the SDK's chunk objects: building a pydantic model per
        # token cost about as much CPU as the rest of the turn. Leaving the block (also on
        # cancel) closes the response, which stops the model generating.
        async with request as response:
            async for line in response.iter_lines():
                if text := event_text(line, response.http_request):
                    yield text
