"""New keys and secrets for a tenant, generated here (never chosen by the caller)."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from admin.schemas import Rotatable, new_widget_key
from shared.webhooks.signing import SECRET_PREFIX


def _webhook_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def rotate(config: dict[str, Any], which: Rotatable) -> tuple[dict[str, Any], str]:
    """``config`` with ``which`` replaced by a fresh value, and that value."""
    if which == "widget_key":
        value = config["widget_key"] = new_widget_key()
    elif which == "identity_secret":
        value = config["identity_secret"] = secrets.token_urlsafe(32)
    elif which == "webhook_secret":
        value = config["webhook_secret"] = _webhook_secret()
    elif which == "handoff_webhook_secret":
        value = _webhook_secret()
        config.setdefault("handoff", {})["webhook_secret"] = value
    else:  # api_key: the new one first, the previous kept for the switch-over
        value = "sk_" + secrets.token_urlsafe(32)
        config["api_keys"] = [value, *config.get("api_keys", [])[:1]]
    return config, value
