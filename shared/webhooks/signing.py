"""The one webhook signature: the Standard Webhooks scheme, via the ``standardwebhooks`` package.

Each request carries ``webhook-id`` (the event id: the same on every retry, receivers de-duplicate
on it), ``webhook-timestamp`` (unix seconds) and ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of
"<id>.<timestamp>.<body>">``). Receivers verify with ``Webhook(secret).verify(body, headers)``, which
also rejects timestamps more than five minutes off (replays).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES = 24
ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER = "webhook-id", "webhook-timestamp", "webhook-signature"
MAKE_SECRET = (
    "python -c \"import base64,secrets; print('whsec_' + base64.b64encode(secrets.token_bytes(32)).decode())\""
)


def check_secret(secret: str) -> str:
    """A Standard Webhooks secret: ``whsec_`` then the base64 of at least 24 random bytes."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"Expected a webhook secret starting with {SECRET_PREFIX!r} (make one: {MAKE_SECRET})")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except binascii.Error:
        raise ValueError(
            f"Expected base64 after {SECRET_PREFIX!r} in the webhook secret (make one: {MAKE_SECRET})"
        ) from None
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"Expected a webhook secret of at least {MIN_SECRET_BYTES} bytes, got {len(key)}")
    return secret


def signed_headers(secret: str, msg_id: str, body: bytes, now: datetime | None = None) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt (a fresh timestamp on every retry)."""
    timestamp = now or datetime.now(UTC)
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(int(timestamp.timestamp())),
        SIGNATURE_HEADER: Webhook(secret).sign(msg_id, timestamp, body.decode()),
    }


def verify(secret: str, body: bytes, headers: dict[str, str]) -> Any:
    """What a receiver does: the parsed body, or ``standardwebhooks.WebhookVerificationError``."""
    return Webhook(secret).verify(body, headers)
