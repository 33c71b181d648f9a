"""Tenant webhooks on real state changes: signed (Standard Webhooks), retried, each attempt recorded."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import yaml
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.db import WebhookDelivery, make_engine, make_sessionmaker
from shared.db.migrate import upgrade_head
from shared.events import HandoffRequested
from shared.settings import Settings
from tests.handoff.conftest import Feed, Service, Tenants, serve, write_tenants
from tests.handoff.test_flow import go_online, publish
from tests.shared.webhook_fixtures import HOOK_SECRET

pytestmark = pytest.mark.connected


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, Feed]]:
    """A loopback receiver that fails every first delivery of an event id, then records what it verified."""
    feed, tries = Feed(), {}

    async def hook(request: Request) -> Response:
        body = await request.body()
        event_id = request.headers["webhook-id"]
        tries[event_id] = tries.get(event_id, 0) + 1
        if tries[event_id] == 1:
            return Response(b"receiver internals", status_code=503)
        try:
            verified = Webhook(HOOK_SECRET).verify(body, dict(request.headers))
        except WebhookVerificationError as e:
            verified = {"invalid": str(e)}
        feed.add({**json.loads(body), "tries": tries[event_id], "verified": verified == json.loads(body)})
        return Response(status_code=204)

    running = await serve(Starlette(routes=[Route("/hook", hook, methods=["POST"])]))
    yield f"{running.url}/hook", feed
    await running.stop()


@pytest.fixture
def handoff_rules(receiver: tuple[str, Feed]) -> dict[str, Any]:
    return {"webhook_url": receiver[0], "webhook_secret": HOOK_SECRET}


@pytest.fixture
def tenants(tmp_path: Path, handoff_rules: dict[str, Any]) -> Tenants:
    """The main tenant allows its loopback receiver (webhooks go to public addresses only otherwise)."""
    written = write_tenants(tmp_path, handoff_rules)
    data = yaml.safe_load(written.tenants_file.read_text())
    data["tenants"][0]["webhook_allowed_hosts"] = ["127.0.0.1"]
    written.tenants_file.write_text(yaml.safe_dump(data))
    return written


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/handoff.db"
    await upgrade_head(url)
    return url


@pytest.fixture
def service_settings(connected_settings: Settings, tenants: Tenants, database_url: str) -> Settings:
    return connected_settings.model_copy(update={"tenants_file": tenants.tenants_file, "database_url": database_url})


async def test_state_changes_reach_the_webhook_signed_after_a_retry(
    service: Service,
    api: httpx.AsyncClient,
    tenants: Tenants,
    nats_client: nats.NATS,
    receiver,
    conversation_id: str,
    database_url: str,
) -> None:
    _, hooks = receiver
    await go_online(api, tenants, "alice")
    await publish(
        nats_client, HandoffRequested(tenant_id=tenants.main, conversation_id=conversation_id, trigger="visitor")
    )
    queued = await hooks.wait(lambda e: e["conversation_id"] == conversation_id and e["state"] == "queued")
    assigned = await hooks.wait(lambda e: e["conversation_id"] == conversation_id and e["state"] == "assigned")
    assert queued["verified"]
    assert queued["tries"] == 2
    assert assigned["agent_id"] == "alice"
    assert assigned["reason"] == "auto_assigned"
    assert assigned["revision"] > queued["revision"]

    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as s:
            rows = (
                await s.scalars(
                    select(WebhookDelivery)
                    .where(WebhookDelivery.event_id == queued["id"])
                    .order_by(WebhookDelivery.attempt)
                )
            ).all()
    finally:
        await engine.dispose()
    # The queued event's attempts in the one deliveries table: status and standard reason, no body. (Recorded
    # before the assigned event was sent: one replica handles state changes in order.)
    assert [(r.webhook_type, r.attempt, r.ok, r.status_code, r.error) for r in rows] == [
        ("handoff.state_changed", 1, False, 503, "HTTP 503 Service Unavailable"),
        ("handoff.state_changed", 2, True, 204, None),
    ]
