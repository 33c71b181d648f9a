"""Webhook test helpers: a valid Standard Webhooks secret and an in-process resolver (tests never use real DNS)."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from shared.webhooks import targets

HOOK_SECRET = "whsec_" + base64.b64encode(b"switchboard-test-webhook-key-32b").decode()


class FakeResolver:
    """Answers names from a table (a list of answers per name: one per lookup, the last repeats)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host not in self.answers:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        seen = self.lookups.count(host)
        return self.answers[host][min(seen, len(self.answers[host])) - 1]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, list[list[str]]]], FakeResolver]:
    def install(answers: dict[str, list[list[str]]]) -> FakeResolver:
        fake = FakeResolver(answers)
        monkeypatch.setattr(targets, "resolve", fake)
        return fake

    return install
