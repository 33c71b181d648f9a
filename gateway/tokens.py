"""Visitor tokens: HS256 JWTs that bind a visitor to one tenant and one conversation."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import BaseModel, Field, ValidationError

ALGORITHM = "HS256"
# A reload may continue its conversation with a token that expired up to this long ago.
PREVIOUS_TOKEN_GRACE = timedelta(days=30)


def _key(secret: str) -> bytes:
    # A purpose-bound 32-byte key: other uses of SECRET_KEY never share this one, and HS256
    # gets a full-length key even from a 16-character secret.
    return hashlib.sha256(b"switchboard visitor token\x00" + secret.encode()).digest()


class TokenError(ValueError):
    """The token is missing, malformed, wrongly signed or expired."""


class VisitorClaims(BaseModel):
    tenant: str = Field(description="Tenant id.")
    visitor: str = Field(description="Visitor id (anonymous `v_...` or verified `u_...`).")
    conversation: str = Field(description="The one conversation this token may use.")
    exp: int = Field(description="Expiry, seconds since the epoch.")
    name: str | None = Field(None, description="A verified visitor's name, as the host site gave it.")
    email: str | None = Field(None, description="A verified visitor's email, as the host site gave it.")

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.exp, UTC)


def sign(
    secret: str,
    tenant: str,
    visitor: str,
    conversation: str,
    ttl_s: int,
    now: datetime | None = None,
    *,
    name: str | None = None,
    email: str | None = None,
) -> str:
    now = now or datetime.now(UTC)
    exp = int((now + timedelta(seconds=ttl_s)).timestamp())
    claims = VisitorClaims(tenant=tenant, visitor=visitor, conversation=conversation, exp=exp, name=name, email=email)
    payload = claims.model_dump(exclude_none=True)
    return jwt.encode({**payload, "iat": int(now.timestamp())}, _key(secret), algorithm=ALGORITHM)


def verify(secret: str, token: str, expired_grace: timedelta | None = None) -> VisitorClaims:
    """The token's claims; expired tokens pass only within ``expired_grace``."""
    leeway = expired_grace.total_seconds() if expired_grace else 0
    try:
        payload = jwt.decode(
            token, _key(secret), algorithms=[ALGORITHM], leeway=leeway, options={"require": ["exp", "tenant"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("token expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenError(f"Expected a visitor token signed by this server, got one that fails: {exc}") from exc
    try:
        return VisitorClaims.model_validate(payload)
    except ValidationError as exc:
        raise TokenError(f"Expected claims tenant/visitor/conversation/exp, got {sorted(payload)}") from exc
