"""Tenant webhooks for conversation state changes: signed with HMAC-SHA256, retried with backoff.

Header ``X-Switchboard-Signature: t=<unix seconds>,v1=<hex hmac_sha256(secret, "<t>.<body>")>``;
receivers recompute it over the raw body and reject old timestamps (replay).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time

import httpx

from shared.events import HandoffStateChanged
from shared.tenants import Tenant

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Switchboard-Signature"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, body: bytes, header: str, *, now: float | None = None, tolerance_s: float = 300) -> bool:
    """What a receiver does; also used by our tests."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)


def backoff_delays(attempts: int, first_s: float, cap_s: float = 60.0) -> list[float]:
    """Delays before each retry: first, 2*first, 4*first ... capped."""
    return [min(cap_s, first_s * 2**i) for i in range(max(0, attempts - 1))]


def payload(event: HandoffStateChanged) -> bytes:
    return event.model_dump_json().encode()


async def deliver(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    body: bytes,
    *,
    attempts: int,
    first_backoff_s: float,
    event_id: str,
) -> int:
    """POST until a 2xx; returns the number of attempts used, raises the last error when all fail."""
    delays = backoff_delays(attempts, first_backoff_s)
    for attempt in range(1, attempts + 1):
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, body, int(time.time())),
            "X-Switchboard-Event-Id": event_id,  # receivers de-duplicate retries on it
        }
        try:
            response = await client.post(url, content=body, headers=headers)
            if response.is_success:
                return attempt
            error: Exception = httpx.HTTPStatusError(
                f"webhook {url} answered {response.status_code}", request=response.request, response=response
            )
        except httpx.HTTPError as e:
            error = e
        if attempt == attempts:
            raise error
        log.warning("webhook %s attempt %d failed: %s", url, attempt, error)
        await asyncio.sleep(delays[attempt - 1])
    raise AssertionError("unreachable")


async def notify(
    client: httpx.AsyncClient, tenant: Tenant, event: HandoffStateChanged, attempts: int, backoff_s: float
) -> bool:
    """Send one state change to the tenant's webhook, if it has one; False if nothing was sent."""
    rules = tenant.handoff
    if not rules.webhook_url:
        return False
    if not rules.webhook_secret:
        log.warning("tenant %s has webhook_url but no webhook_secret; not sending unsigned webhooks", tenant.id)
        return False
    await deliver(
        client,
        rules.webhook_url,
        rules.webhook_secret,
        payload(event),
        attempts=attempts,
        first_backoff_s=backoff_s,
        event_id=event.id,
    )
    return True
