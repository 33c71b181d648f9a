"""The agent API refuses a body over MAX_BODY_BYTES with 413 before reading it (like the gateway)."""

from __future__ import annotations

import httpx
import pytest

from tests.handoff.conftest import Tenants

pytestmark = pytest.mark.connected


async def test_an_oversized_agent_message_is_413(tenants: Tenants, api: httpx.AsyncClient) -> None:
    limit = 64 * 1024
    body = b'{"text": "' + b"x" * (limit + 1) + b'"}'
    response = await api.post(
        "/v1/conversations/c1/messages",
        content=body,
        headers={**tenants.auth(), "Content-Type": "application/json"},
    )
    assert response.status_code == 413, response.text


async def test_a_body_under_the_limit_reaches_the_route(tenants: Tenants, api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/conversations/c1/messages",
        content=b'{"text": "hello"}',
        headers={**tenants.auth(), "Content-Type": "application/json"},
    )
    assert response.status_code != 413  # the route answers (the conversation is not the agent's)
