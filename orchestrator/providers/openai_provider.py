"""Any OpenAI-compatible chat model (OpenAI, Azure, vLLM, Ollama) through the openai SDK."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from openai import APIError, AsyncOpenAI

from orchestrator.providers.base import ChatMessage, Chunk, ToolCall, ToolCalls
from shared.events import Source
from shared.tenants import Tenant

CITE_NOTE = "The visitor sees the sources you use listed under your answer: do not name, number or link them."


def sources_block(sources: list[Source]) -> str:
    if not sources:
        return "No knowledge-base passage matched; say you do not know and offer a human agent."
    lines = [f"[{i}] {s.title}: {s.snippet}" for i, s in enumerate(sources, 1)]
    # The widget lists the sources an answer used under it (orchestrator/citations.py): not in the text too.
    return "Sources:\n" + "\n".join(lines) + "\n\n" + CITE_NOTE


def event_delta(line: str, request: Any) -> dict[str, Any]:
    """The ``delta`` of one server-sent event line of a streaming chat completion ({} if none).

    OpenAI-compatible servers send each chunk as one ``data: {json}`` line; ``[DONE]``,
    comments and other fields carry nothing. An ``error`` payload raises APIError.
    """
    if not line.startswith("data:"):
        return {}
    payload = line[5:].strip()
    if not payload or payload == "[DONE]":
        return {}
    data = json.loads(payload)
    if not isinstance(data, dict):
        return {}
    if error := data.get("error"):
        message = error.get("message") if isinstance(error, dict) else None
        raise APIError(message or "An error occurred during streaming", request=request, body=error)
    choices = data.get("choices") or []
    delta = (choices[0].get("delta") or {}) if choices and isinstance(choices[0], dict) else {}
    return delta if isinstance(delta, dict) else {}


def event_text(line: str, request: Any) -> str:
    """The text of one server-sent event line ("" if none)."""
    content = event_delta(line, request).get("content")
    return content if isinstance(content, str) else ""


class ToolCallAssembler:
    """Tool calls streamed in pieces: the first piece of each (by ``index``) names it, the rest add arguments."""

    def __init__(self) -> None:
        self.calls: dict[int, dict[str, str]] = {}

    def add(self, pieces: Any) -> None:
        for piece in pieces if isinstance(pieces, list) else []:
            if not isinstance(piece, dict):
                continue
            call = self.calls.setdefault(int(piece.get("index") or 0), {"id": "", "name": "", "arguments": ""})
            function = piece.get("function") or {}
            if piece.get("id"):
                call["id"] = str(piece["id"])
            if function.get("name"):
                call["name"] += str(function["name"])
            if function.get("arguments"):
                call["arguments"] += str(function["arguments"])

    def done(self) -> ToolCalls | None:
        if not self.calls:
            return None
        return ToolCalls(
            [ToolCall(c["id"] or f"call_{i}", c["name"], c["arguments"]) for i, c in sorted(self.calls.items())]
        )


def function_tools(tenant: Tenant) -> list[dict[str, Any]]:
    """The tenant's tools as OpenAI function tools."""
    return [
        {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
        for t in tenant.tools
    ]


class OpenAIProvider:
    name = "openai"

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        model: str,
        client: AsyncOpenAI | None = None,
        timeout_s: float = 120.0,
        embedding_model: str | None = None,
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
        # Set: retrieval asks this endpoint for embeddings too (orchestrator.retrieval.search).
        self.embedding_model = embedding_model

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """One embedding per text, from the same endpoint (``embedding_model``)."""
        if not self.embedding_model:
            raise RuntimeError("no embedding model configured")
        response = await self.client.embeddings.create(model=self.embedding_model, input=texts)
        return [item.embedding for item in sorted(response.data, key=lambda item: item.index)]

    async def aclose(self) -> None:
        await self.client.close()

    def request_messages(self, messages: list[ChatMessage], sources: list[Source], tenant: Tenant) -> list[ChatMessage]:
        system = tenant.model.system_prompt.format(tenant=tenant.name)
        head: ChatMessage = {"role": "system", "content": f"{system}\n\n{sources_block(sources)}"}
        return [head, *(m for m in messages if m["role"] != "system")]

    async def stream(self, messages: list[ChatMessage], sources: list[Source], tenant: Tenant) -> AsyncIterator[Chunk]:
        extra: dict[str, Any] = {"tools": function_tools(tenant)} if tenant.tools else {}
        request = self.client.chat.completions.with_streaming_response.create(
            model=self.model,
            messages=self.request_messages(messages, sources, tenant),  # type: ignore[arg-type]
            temperature=tenant.model.temperature,
            stream=True,
            **extra,
        )
        # The raw event stream, not the SDK's chunk objects: building a pydantic model per
        # token cost about as much CPU as the rest of the turn. Leaving the block (also on
        # cancel) closes the response, which stops the model generating.
        tools = ToolCallAssembler()
        async with request as response:
            async for line in response.iter_lines():
                delta = event_delta(line, response.http_request)
                if not delta:
                    continue
                content = delta.get("content")
                if isinstance(content, str) and content:
                    yield content
                if "tool_calls" in delta:
                    tools.add(delta["tool_calls"])
        if (calls := tools.done()) is not None:
            yield calls
