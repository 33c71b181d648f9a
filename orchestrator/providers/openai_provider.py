"""Any OpenAI-compatible chat model (OpenAI, Azure, vLLM, Ollama) through the openai SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator

from openai import AsyncOpenAI

from orchestrator.providers.base import ChatMessage
from shared.events import Source
from shared.tenants import Tenant


def sources_block(sources: list[Source]) -> str:
    if not sources:
        return "No knowledge-base passage matched; say you do not know and offer a human agent."
    lines = [f"[{i}] {s.title}: {s.snippet}" for i, s in enumerate(sources, 1)]
    return "Sources:\n" + "\n".join(lines)


class OpenAIProvider:
    name = "openai"

    def __init__(self, base_url: str, api_key: str | None, model: str, client: AsyncOpenAI | None = None) -> None:
        # The SDK refuses a missing key even for local servers that ignore it.
        self.client = client or AsyncOpenAI(base_url=base_url, api_key=api_key or "not-needed", max_retries=1)
        self.model = model

    async def aclose(self) -> None:
        await self.client.close()

    def request_messages(self, messages: list[ChatMessage], sources: list[Source], tenant: Tenant) -> list[ChatMessage]:
        system = tenant.model.system_prompt.format(tenant=tenant.name)
        head: ChatMessage = {"role": "system", "content": f"{system}\n\n{sources_block(sources)}"}
        return [head, *(m for m in messages if m["role"] != "system")]

    async def stream(self, messages: list[ChatMessage], sources: list[Source], tenant: Tenant) -> AsyncIterator[str]:
        response = await self.client.chat.completions.create(
            model=self.model,
            messages=self.request_messages(messages, sources, tenant),  # type: ignore[arg-type]
            temperature=tenant.model.temperature,
            stream=True,
        )
        # Closing the response on exit (also on cancel) stops the model generating.
        async with response:
            async for chunk in response:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
