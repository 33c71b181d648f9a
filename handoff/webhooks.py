"""Tenant webhooks for conversation state changes: signed (Standard Webhooks), retried with backoff, recorded.

Signing, target checks and the ``webhook_deliveries`` rows are shared with every webhook (shared.webhooks).
"""

from __future__ import annotations

import asyncio
import logging

import httpx
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.events import HandoffStateChanged
from shared.tenants import Tenant
from shared.webhooks.delivery import Attempt, post_signed, record_attempt

log = logging.getLogger(__name__)

WEBHOOK_TYPE = "handoff.state_changed"


class WebhookFailed(RuntimeError):
    """Every attempt of one delivery failed (the bus redelivers the event later)."""


def backoff_delays(attempts: int, first_s: float, cap_s: float = 60.0) -> list[float]:
    """Delays before each retry: first, 2*first, 4*first ... capped."""
    return [min(cap_s, first_s * 2**i) for i in range(max(0, attempts - 1))]


def payload(event: HandoffStateChanged) -> bytes:
    return event.model_dump_json().encode()


async def _record(
    sessions: async_sessionmaker[AsyncSession] | None, tenant: Tenant, event: HandoffStateChanged, number: int,
    result: Attempt,
) -> None:  # fmt: skip
    if sessions is None:
        return
    try:
        await record_attempt(
            sessions, result, webhook_type=WEBHOOK_TYPE, tenant_id=tenant.id, conversation_id=event.conversation_id,
            event_id=event.id, url=tenant.handoff.webhook_url or "", attempt=number,
        )  # fmt: skip
    except (SQLAlchemyError, OSError) as e:
        # The webhook itself went out; a database outage must not make the bus send it again.
        log.warning("webhook %s attempt %d not recorded: %s", event.id, number, e.__class__.__name__)


async def notify(
    client: httpx.AsyncClient,
    tenant: Tenant,
    event: HandoffStateChanged,
    attempts: int,
    backoff_s: float,
    *,
    sessions: async_sessionmaker[AsyncSession] | None = None,
    timeout_s: float = 5.0,
    first_attempt: int = 1,
) -> bool:
    """Send one state change to the tenant's webhook, if it has one; False if nothing was sent.

    Raises WebhookFailed when every attempt failed. ``first_attempt`` numbers the attempts of a
    redelivered event after those already made.
    """
    rules = tenant.handoff
    if not rules.webhook_url:
        return False
    if not rules.webhook_secret:
        log.warning("tenant %s has webhook_url but no webhook_secret; not sending unsigned webhooks", tenant.id)
        return False
    body, delays = payload(event), backoff_delays(attempts, backoff_s)
    for i in range(attempts):
        number = first_attempt + i
        result = await post_signed(
            client, url=rules.webhook_url, secret=rules.webhook_secret, msg_id=event.id, webhook_type=WEBHOOK_TYPE,
            body=body, attempt=number, allowed_hosts=tenant.webhook_allowed_hosts, timeout=timeout_s,
        )  # fmt: skip
        await _record(sessions, tenant, event, number, result)
        if result.ok:
            return True
        if result.refused:
            log.error("webhook %s of tenant %s not sent: %s", event.id, tenant.id, result.error)
            return False
        if i == attempts - 1:
            raise WebhookFailed(f"webhook {event.id} to {rules.webhook_url} failed {attempts} times: {result.error}")
        log.warning("webhook %s attempt %d failed: %s", event.id, number, result.error)
        await asyncio.sleep(delays[i])
    raise AssertionError("unreachable")
