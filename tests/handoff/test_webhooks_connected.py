"""Tenant webhooks on real state changes: signed, and retried when the receiver fails."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import nats
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from handoff.webhooks import SIGNATURE_HEADER, verify
from shared.events import HandoffRequested
from tests.handoff.conftest import Feed, Service, Tenants, serve
from tests.handoff.test_flow import go_online, publish

pytestmark = pytest.mark.connected
SECRET = "webhook-secret-0123456789"


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, Feed]]:
    """A receiver that fails every first delivery of an event id, then records verified bodies."""
    feed, tries = Feed(), {}

    async def hook(request: Request) -> Response:
        body = await request.body()
        event_id = request.headers["X-Switchboard-Event-Id"]
        tries[event_id] = tries.get(event_id, 0) + 1
        if tries[event_id] == 1:
            return Response(status_code=503)
        feed.add(
            {
                **json.loads(body),
                "tries": tries[event_id],
                "valid": verify(SECRET, body, request.headers[SIGNATURE_HEADER]),
            }
        )
        return Response(status_code=204)

    running = await serve(Starlette(routes=[Route("/hook", hook, methods=["POST"])]))
    yield f"{running.url}/hook", feed
    await running.stop()


@pytest.fixture
def handoff_rules(receiver: tuple[str, Feed]) -> dict[str, Any]:
    return {"webhook_url": receiver[0], "webhook_secret": SECRET}


async def test_state_changes_reach_the_webhook_signed_after_a_retry(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS, receiver, conversation_id: str
) -> None:
    _, hooks = receiver
    await go_online(api, tenants, "alice")
    await publish(
        nats_client, HandoffRequested(tenant_id=tenants.main, conversation_id=conversation_id, trigger="visitor")
    )
    queued = await hooks.wait(lambda e: e["conversation_id"] == conversation_id and e["state"] == "queued")
    assigned = await hooks.wait(lambda e: e["conversation_id"] == conversation_id and e["state"] == "assigned")
    assert queued["valid"]
    assert queued["tries"] == 2
    assert assigned["agent_id"] == "alice"
    assert assigned["reason"] == "auto_assigned"
    assert assigned["revision"] > queued["revision"]
