"""Admin API keys: ADMIN_API_KEYS, each ``<key id>:<secret>``, comma-separated; a demo key in development only."""

from __future__ import annotations

import hashlib

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import Settings

DEMO_ADMIN_KEY_ID = "demo"
DEMO_ADMIN_KEY = "sb-admin-demo-key-development-only"  # public: accepted in ENVIRONMENT=development only
MIN_KEY_LENGTH = 24


class AdminSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ADMIN_", env_file=".env", extra="ignore")

    api_keys: str | None = Field(
        None,
        description="Admin bearer keys, comma-separated, each '<key id>:<secret>' (the id is what the audit "
        "log records) or a bare secret (its id is then 'key-' and 8 hex digits of its SHA-256). "
        "Unset: the public demo key in development, none (the admin API refuses everyone) otherwise.",
    )

    knowledge_max_bytes: int = Field(
        10 * 1024 * 1024, ge=1, description="Largest knowledge document an admin may upload (413 beyond)."
    )


def key_id_of(secret: str) -> str:
    return "key-" + hashlib.sha256(secret.encode()).hexdigest()[:8]


def admin_keys(settings: Settings, admin: AdminSettings | None = None) -> dict[str, str]:
    """Secret -> key id. Raises ValueError for a short secret, or the demo key outside development."""
    raw = (admin or AdminSettings()).api_keys
    if raw is None:
        return {DEMO_ADMIN_KEY: DEMO_ADMIN_KEY_ID} if settings.environment == "development" else {}
    keys: dict[str, str] = {}
    for entry in filter(None, (e.strip() for e in raw.split(","))):
        key_id, sep, secret = entry.partition(":")
        if not sep:
            key_id, secret = key_id_of(entry), entry
        if len(secret) < MIN_KEY_LENGTH:
            raise ValueError(f"ADMIN_API_KEYS: expected secrets of at least {MIN_KEY_LENGTH} characters ({key_id!r})")
        if secret == DEMO_ADMIN_KEY and settings.environment != "development":
            raise ValueError(
                f"ADMIN_API_KEYS holds the public demo key; not allowed when ENVIRONMENT={settings.environment!r}"
            )
        keys[secret] = key_id
    return keys
