"""One signed POST to a checked target (``send_signed``: every webhook, tool and action call), and a
notification's row in ``webhook_deliveries``.

A notification keeps only the status and a short reason of a target's answer: its body is never
read, stored or logged. Redirects are never followed (a redirect could point anywhere).
"""

from __future__ import annotations

import asyncio
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


MAX_ANSWER_BYTES = 256 * 1024  # the most of an answer read, when one is wanted (``send_signed(read=True)``)


@dataclass(frozen=True)
class Sent:
    """What one signed POST came to: the status, and the answer's bytes when they were wanted."""

    ok: bool
    status_code: int | None = None
    body: bytes = b""
    error: str | None = None
    refused: bool = False  # the target is not allowed: retrying does not help
    duration_ms: int = 0


async def send_signed(
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
    read: bool = False,
) -> Sent:
    """POST ``body`` signed for ``msg_id`` to ``url`` if the target is allowed; never raises for the target's faults.

    With ``read`` a 2xx answer's body is read (at most MAX_ANSWER_BYTES) and the whole call bounded
    by ``timeout``; without it the body is never read (a notification's target has nothing to say).
    """
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = await pin(url, allowed_hosts)
    except RefusedTarget as e:
        return Sent(ok=False, error=short(f"refused: {e}"), refused=True)
    except OSError as e:
        return Sent(ok=False, error=short(f"cannot resolve the target's host: {e}"), duration_ms=took())
    headers = {
        "Content-Type": "application/json",
        **({"Accept": "application/json"} if read else {}),
        TYPE_HEADER: webhook_type,
        ATTEMPT_HEADER: str(attempt),
        **signed_headers(secret, msg_id, body),
        **target.headers,
    }
    try:
        async with asyncio.timeout(timeout):
            async with http.stream(
                "POST", target.url, content=body, headers=headers, extensions=target.extensions, timeout=timeout,
                follow_redirects=False,
            ) as response:  # fmt: skip
                status = response.status_code
                answer = await _read(response) if read and 200 <= status < 300 else b""
    except TimeoutError:
        return Sent(ok=False, error=f"no answer within {timeout:g} s", duration_ms=took())
    except (httpx.HTTPError, AnswerTooBig) as e:
        return Sent(ok=False, error=short(f"{e.__class__.__name__}: {e}"), duration_ms=took())
    if 200 <= status < 300:
        return Sent(ok=True, status_code=status, body=answer, duration_ms=took())
    return Sent(ok=False, status_code=status, error=status_reason(status), duration_ms=took())


class AnswerTooBig(Exception):
    pass


async def _read(response: httpx.Response) -> bytes:
    body = bytearray()
    async for part in response.aiter_bytes():
        body += part
        if len(body) > MAX_ANSWER_BYTES:
            raise AnswerTooBig(f"answer over {MAX_ANSWER_BYTES} bytes")
    return bytes(body)


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
    """A notification: ``send_signed`` without reading the answer, as a ``webhook_deliveries`` attempt."""
    sent = await send_signed(
        http, url=url, secret=secret, msg_id=msg_id, webhook_type=webhook_type, body=body, attempt=attempt,
        allowed_hosts=allowed_hosts, timeout=timeout,
    )  # fmt: skip
    return Attempt(sent.ok, sent.status_code, sent.error, sent.refused, sent.duration_ms)


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
