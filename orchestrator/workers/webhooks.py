"""Turn webhooks: a signed JSON POST to the tenant's URL, each attempt recorded, retried with backoff."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import WebhookDelivery
from shared.db.base import utcnow
from shared.db.upsert import insert_ignore
from shared.tasks import PostReplyTask
from shared.tenants import Tenant

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Switchboard-Signature"
EVENT_HEADER = "X-Switchboard-Event"
DELIVERY_HEADER = "X-Switchboard-Delivery"
ATTEMPT_HEADER = "X-Switchboard-Attempt"
WEBHOOK_TYPE = "turn.completed"


@dataclass(frozen=True)
class WebhookPolicy:
    max_attempts: int = 8
    base_delay_s: float = 2.0
    max_delay_s: float = 600.0
    timeout_s: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Delay before the attempt after ``attempt``: base, 2*base, 4*base ... capped."""
        return min(self.base_delay_s * 2 ** (attempt - 1), self.max_delay_s)


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the raw body>``: receivers recompute it over the bytes they got."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature)


def webhook_body(task: PostReplyTask) -> bytes:
    payload: dict[str, Any] = {
        "id": task.event_id,
        "type": WEBHOOK_TYPE,
        "tenant_id": task.tenant_id,
        "conversation_id": task.conversation_id,
        "seq": task.seq,
        "message": task.event,
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status_code: int | None = None
    error: str | None = None


async def post_webhook(
    http: httpx.AsyncClient, tenant: Tenant, task: PostReplyTask, attempt: int, timeout: float
) -> Attempt:
    assert tenant.webhook_url is not None
    assert tenant.webhook_secret is not None
    body = webhook_body(task)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(tenant.webhook_secret, body),
        EVENT_HEADER: WEBHOOK_TYPE,
        DELIVERY_HEADER: task.event_id,
        ATTEMPT_HEADER: str(attempt),
    }
    try:
        response = await http.post(tenant.webhook_url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        return Attempt(ok=False, error=f"{exc.__class__.__name__}: {exc}"[:1000])
    if 200 <= response.status_code < 300:
        return Attempt(ok=True, status_code=response.status_code)
    return Attempt(ok=False, status_code=response.status_code, error=response.text[:1000] or None)


async def deliver_webhook(
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    tenant: Tenant,
    task: PostReplyTask,
    attempt: int,
    policy: WebhookPolicy,
) -> Attempt:
    """One attempt, recorded in webhook_deliveries whatever its outcome."""
    started = time.monotonic()
    result = await post_webhook(http, tenant, task, attempt, policy.timeout_s)
    async with sessions.begin() as session:
        await insert_ignore(
            session, WebhookDelivery, tenant_id=task.tenant_id, conversation_id=task.conversation_id,
            event_id=task.event_id, url=tenant.webhook_url, attempt=attempt, ok=result.ok,
            status_code=result.status_code, error=result.error,
            duration_ms=int((time.monotonic() - started) * 1000), created_at=utcnow(),
        )  # fmt: skip
    if not result.ok:
        log.warning("webhook %s attempt %s to %s failed: %s", task.event_id, attempt, tenant.webhook_url, result)
    return result
