"""A signed call that expects an answer: a tenant's action or tool endpoint, with timeout and retries.

The same signed POST as every webhook (``delivery.send_signed``), but the endpoint's JSON
answer is the point: it is read (at most ``MAX_ANSWER_BYTES``) and returned.
Each attempt gets ``timeout`` seconds; a failed attempt (network error, timeout, non-2xx,
an answer that is not a JSON object) is retried ``retries`` times with the same ``webhook-id``,
so the endpoint can de-duplicate. A refused target is not retried.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from shared.webhooks.delivery import send_signed

RETRY_PAUSE_S = 0.2


@dataclass(frozen=True)
class Answer:
    ok: bool
    data: dict[str, Any] | None = None
    status_code: int | None = None
    error: str | None = None
    attempts: int = 1
    duration_ms: int = 0


async def _attempt(
    http: httpx.AsyncClient,
    *,
    url: str,
    secret: str,
    msg_id: str,
    webhook_type: str,
    body: bytes,
    attempt: int,
    allowed_hosts: Iterable[str],
    timeout: float,
) -> tuple[Answer, bool]:
    """One attempt; the bool says whether another could help."""
    sent = await send_signed(
        http, url=url, secret=secret, msg_id=msg_id, webhook_type=webhook_type, body=body, attempt=attempt,
        allowed_hosts=allowed_hosts, timeout=timeout, read=True,
    )  # fmt: skip
    status = sent.status_code
    if not sent.ok:
        again = not sent.refused and (status is None or status >= 500 or status == 429)
        return Answer(ok=False, status_code=status, error=sent.error), again
    try:
        data = json.loads(sent.body or b"{}")
    except ValueError:
        return Answer(ok=False, status_code=status, error="the answer is not JSON"), False
    if not isinstance(data, dict):
        return Answer(ok=False, status_code=status, error="the answer is not a JSON object"), False
    return Answer(ok=True, data=data, status_code=status), False


async def call_signed(
    http: httpx.AsyncClient,
    *,
    url: str,
    secret: str,
    msg_id: str,
    webhook_type: str,
    body: bytes,
    allowed_hosts: Iterable[str] = (),
    timeout: float = 5.0,
    retries: int = 1,
) -> Answer:
    """POST ``body`` signed for ``msg_id``; the endpoint's JSON object, or why there is none. Never raises
    for the endpoint's faults."""
    started = time.monotonic()
    answer = Answer(ok=False, error="not called")
    for attempt in range(1, retries + 2):
        answer, again = await _attempt(
            http, url=url, secret=secret, msg_id=msg_id, webhook_type=webhook_type, body=body, attempt=attempt,
            allowed_hosts=allowed_hosts, timeout=timeout,
        )  # fmt: skip
        if answer.ok or not again or attempt > retries:
            break
        await asyncio.sleep(RETRY_PAUSE_S * attempt)
    took = int((time.monotonic() - started) * 1000)
    return Answer(answer.ok, answer.data, answer.status_code, answer.error, attempt, took)
