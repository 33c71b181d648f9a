"""The one interface every model provider implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal, Protocol, TypedDict

from shared.events import Source
from shared.tenants import Tenant


class ChatMessage(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


class Provider(Protocol):
    """Streams a reply as text chunks; concatenating the chunks gives the whole reply."""

    name: str

    def stream(self, messages: list[ChatMessage], sources: list[Source], tenant: Tenant) -> AsyncIterator[str]: ...
