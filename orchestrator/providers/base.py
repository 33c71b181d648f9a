"""The one interface every model provider implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal, Protocol, TypedDict

from shared.events import Component, Source
from shared.tenants import Tenant


class ChatMessage(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class Components:
    """Components a reply carries (cards, forms, quick replies...), streamed between its text chunks."""

    items: list[Component]


Chunk = str | Components


class Provider(Protocol):
    """Streams a reply as text chunks (and any components); concatenating the text gives the reply."""

    name: str

    def stream(self, messages: list[ChatMessage], sources: list[Source], tenant: Tenant) -> AsyncIterator[Chunk]: ...
