"""A signed call that expects an answer: a tenant's action or tool endpoint, with timeout and retries.

The same signature and target checks as every webhook (``signing``, ``targets``), but the
endpoint's JSON answer is the point: it is read (at most ``MAX_ANSWER_BYTES``) and returned.
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

from shared.webhooks.delivery import ATTEMPT_HEADER, TYPE_HEADER, short, status_reason
from shared.webhooks.signing import signed_headers
from shared.webhooks.targets import RefusedTarget, pin

MAX_ANSWER_BYTES = 256 * 1024
RETRY_PAUSE_S = 0.2


class AnswerTooBig(Exception):
    pass


@dataclass(frozen=True)
class Answer:
    ok: bool
    data: dict[str, Any] | None = None
    status_code: int | None = None
    error: str | None = None
    attempts: int = 1
    duration_ms: int = 0


async def _read(response: httpx.Response) -> bytes:
    body = bytearray()
    async for part in response.aiter_bytes():
        body += part
        if len(body) > MAX_ANSWER_BYTES:
            raise AnswerTooBig(f"answer over {MAX_ANSWER_BYTES} bytes")
    return bytes(body)


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
    try:
        target = await pin(url, allowed_hosts)
    except RefusedTarget as e:
        return Answer(ok=False, error=short(f"refused: {e}")), False
    except OSError as e:
        return Answer(ok=False, error=short(f"cannot resolve the endpoint's host: {e}")), True
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        TYPE_HEADER: webhook_type,
        ATTEMPT_HEADER: str(attempt),
        **signed_headers(secret, msg_id, body),
        **target.headers,
    }
    try:
        async with asyncio.timeout(timeout):
            async with http.stream(
                "POST", target.url, content=body, headers=headers, extensions=target.extensions,
                timeout=timeout, follow_redirects=False,
            ) as response:  # fmt: skip
                status = response.status_code
                raw = await _read(response) if 200 <= status < 300 else b""
    except TimeoutError:
        return Answer(ok=False, error=f"no answer within {timeout:g} s"), True
    except (httpx.HTTPError, AnswerTooBig) as e:
        return Answer(ok=False, error=short(f"{e.__class__.__name__}: {e}")), True
    if not 200 <= status < 300:
        return Answer(ok=False, status_code=status, error=status_reason(status)), status >= 500 or status == 429
    try:
        data = json.loads(raw or b"{}")
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
