"""One signed POST to a checked target, and its row in ``webhook_deliveries``: what every webhook uses.

Only the status and a short reason are kept from a target's answer: its body is never read,
stored or logged. Redirects are not followed (a redirect could point anywhere).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared import metrics
from shared.db import WebhookDelivery
from shared.db.base import utcnow
from shared.db.upsert import insert_ignore
from shared.webhooks.signing import signed_headers
from shared.webhooks.targets import RefusedTarget, pin

REASON_MAX_CHARS = 200
TYPE_HEADER = "X-Switchboard-Event"  # turn.completed, handoff.state_changed
ATTEMPT_HEADER = "X-Switchboard-Attempt"


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    refused: bool = False  # the target is not allowed: retrying does not help
    duration_ms: int = 0


def short(text: str) -> str:
    return text if len(text) <= REASON_MAX_CHARS else text[: REASON_MAX_CHARS - 1] + "…"


def status_reason(status: int) -> str:
    """The standard phrase of a status, never the target's own text."""
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


async def post_signed(
    http: httpx.AsyncClient,
    *,
    url: str,
    secret: str,
    msg_id: str,
    webhook_type: str,
    body: bytes,
    attempt: int,
    allowed_hosts: Iterable[str] = (),
    timeout: float = 10.0,
) -> Attempt:
    """POST ``body`` signed for ``msg_id`` to ``url`` if the target is allowed; never raises for the target's faults."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = await pin(url, allowed_hosts)
    except RefusedTarget as e:
        return Attempt(ok=False, error=short(f"refused: {e}"), refused=True)
    except OSError as e:
        return Attempt(ok=False, error=short(f"cannot resolve the webhook host: {e}"), duration_ms=took())
    headers = {
        "Content-Type": "application/json",
        TYPE_HEADER: webhook_type,
        ATTEMPT_HEADER: str(attempt),
        **signed_headers(secret, msg_id, body),
        **target.headers,
    }
    try:
        async with http.stream(
            "POST", target.url, content=body, headers=headers, extensions=target.extensions, timeout=timeout,
            follow_redirects=False,
        ) as response:  # fmt: skip
            status = response.status_code  # the body is never read
    except httpx.HTTPError as e:
        return Attempt(ok=False, error=short(f"{e.__class__.__name__}: {e}"), duration_ms=took())
    if 200 <= status < 300:
        return Attempt(ok=True, status_code=status, duration_ms=took())
    return Attempt(ok=False, status_code=status, error=status_reason(status), duration_ms=took())


async def record_attempt(
    sessions: async_sessionmaker[AsyncSession],
    result: Attempt,
    *,
    webhook_type: str,
    tenant_id: str,
    conversation_id: str,
    event_id: str,
    url: str,
    attempt: int,
) -> None:
    """One row per attempt (the first write of an (event, attempt) pair wins: redeliveries do not double it)."""
    metrics.WEBHOOK_ATTEMPTS_FAMILY.labels(webhook_type, "ok" if result.ok else "failed").inc()
    async with sessions.begin() as session:
        await insert_ignore(
            session, WebhookDelivery, webhook_type=webhook_type, tenant_id=tenant_id,
            conversation_id=conversation_id, event_id=event_id, url=url, attempt=attempt, ok=result.ok,
            status_code=result.status_code, error=result.error, duration_ms=result.duration_ms, created_at=utcnow(),
        )  # fmt: skip
