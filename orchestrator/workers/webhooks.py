"""Turn webhooks: a signed JSON POST to the tenant's URL, each attempt recorded, retried with backoff.

Signing, target checks and the ``webhook_deliveries`` row are shared with every webhook (shared.webhooks).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.tasks import PostReplyTask
from shared.tenants import Tenant
from shared.webhooks.delivery import Attempt, post_signed, record_attempt

log = logging.getLogger(__name__)

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


async def deliver_webhook(
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    tenant: Tenant,
    task: PostReplyTask,
    attempt: int,
    policy: WebhookPolicy,
) -> Attempt:
    """One attempt, recorded in webhook_deliveries whatever its outcome."""
    assert tenant.webhook_url is not None
    assert tenant.webhook_secret is not None
    result = await post_signed(
        http, url=tenant.webhook_url, secret=tenant.webhook_secret, msg_id=task.event_id, webhook_type=WEBHOOK_TYPE,
        body=webhook_body(task), attempt=attempt, allowed_hosts=tenant.webhook_allowed_hosts, timeout=policy.timeout_s,
    )  # fmt: skip
    await record_attempt(
        sessions, result, webhook_type=WEBHOOK_TYPE, tenant_id=task.tenant_id, conversation_id=task.conversation_id,
        event_id=task.event_id, url=tenant.webhook_url, attempt=attempt,
    )  # fmt: skip
    if not result.ok:
        log.warning("webhook %s attempt %s to %s failed: %s", task.event_id, attempt, tenant.webhook_url, result.error)
    return result
