"""The one interface every model provider implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, Protocol, TypedDict

from shared.events import Component, Source
from shared.tenants import Tenant


class ChatMessage(TypedDict):
    role: Literal["system", "user", "assistant", "tool"]
    content: str
    # An assistant message that called tools (OpenAI's shape), and a tool result answering one.
    tool_calls: NotRequired[list[dict[str, Any]]]
    tool_call_id: NotRequired[str]


@dataclass(frozen=True)
class Components:
    """Components a reply carries (cards, forms, quick replies...), streamed between its text chunks."""

    items: list[Component]


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str = ""  # JSON text as the model wrote it


@dataclass(frozen=True)
class ToolCalls:
    """The model asks for these tools (all at once: they may run in parallel); it streams last."""

    calls: list[ToolCall]


@dataclass(frozen=True)
class Citations:
    """The sources (ids, in the order the reply uses them) a reply quotes, when the provider knows
    exactly (the offline answerer does); otherwise the turn works them out (orchestrator/citations.py)."""

    ids: list[str]


Chunk = str | Components | ToolCalls | Citations


class Provider(Protocol):
    """Streams a reply as text chunks (and any components); concatenating the text gives the reply."""

    name: str

    def stream(self, messages: list[ChatMessage], sources: list[Source], tenant: Tenant) -> AsyncIterator[Chunk]: ...
