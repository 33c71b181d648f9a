"""Opening a widget session: which visitor, which conversation, and a token that proves it."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from gateway import tokens
from shared.settings import Settings
from shared.tenants import Tenant, TenantDirectory
from shared.widget_protocol import ID_PATTERN, StorableText


class SessionError(Exception):
    """A session request that is refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SessionRequest(BaseModel):
    widget_key: StorableText = Field(
        max_length=200, description="The tenant's public widget key.", examples=["pk_demo_acme"]
    )
    visitor_id: str | None = Field(
        None,
        pattern=ID_PATTERN,
        description="Anonymous visitor id the widget kept; kept only with its visitor_secret, else a new one is made.",
    )
    visitor_secret: StorableText | None = Field(
        None, max_length=128, description="The visitor_secret a previous session returned with visitor_id."
    )
    previous_token: StorableText | None = Field(
        None, max_length=4000, description="The last token this browser had; continues its conversation."
    )
    user_id: StorableText | None = Field(None, min_length=1, max_length=256, description="The host site's user id.")
    user_hash: StorableText | None = Field(
        None, max_length=128, description="Hex HMAC-SHA256 of user_id under the tenant's identity secret."
    )
    user_name: StorableText | None = Field(
        None, max_length=120, description="The verified user's name, shown to agents; ignored without user_hash."
    )
    user_email: StorableText | None = Field(
        None, max_length=254, description="The verified user's email, shown to agents; ignored without user_hash."
    )


class PublicTenant(BaseModel):
    id: str
    name: str
    assistant_name: str
    widget: dict[str, Any] = Field(description="Theme, strings and layout for the widget.")

    @classmethod
    def of(cls, tenant: Tenant) -> PublicTenant:
        return cls(id=tenant.id, name=tenant.name, assistant_name=tenant.assistant_name, widget=tenant.widget)


class SessionResponse(BaseModel):
    token: str = Field(description="Visitor token for the WebSocket (`/v1/ws?token=`).")
    expires_at: datetime
    conversation_id: str
    visitor_id: str
    visitor_secret: str | None = Field(
        None,
        description="For anonymous visitors: keep it with visitor_id and send both to reuse the id in a later session.",
    )
    tenant: PublicTenant
    ws_url: str = Field(description="Where to open the WebSocket.")


def find_tenant(directory: TenantDirectory, widget_key: str) -> Tenant:
    tenant = directory.by_widget_key(widget_key)
    if tenant is None:
        raise SessionError(404, f"Expected a known widget key, got {widget_key!r}")
    refuse_disabled(tenant)
    return tenant


def refuse_disabled(tenant: Tenant) -> None:
    if tenant.disabled:
        raise SessionError(403, f"Tenant {tenant.id!r} is disabled: this widget opens no new sessions")


def check_origin(tenant: Tenant, origin: str | None) -> None:
    """Browsers always send Origin cross-site; other clients cannot be stopped by it anyway."""
    if origin is None or not tenant.allowed_origins:
        return
    if origin.rstrip("/") not in {o.rstrip("/") for o in tenant.allowed_origins}:
        raise SessionError(403, f"Expected an origin allowed for tenant {tenant.id!r}, got {origin!r}")


def verified_visitor_id(tenant: Tenant, user_id: str) -> str:
    # Hashed so any user id (emails, slashes) becomes a safe subject-friendly id.
    digest = hashlib.sha256(f"{tenant.id}\x00{user_id}".encode()).hexdigest()[:32]
    return f"u_{digest}"


def visitor_secret(secret_key: str, tenant: Tenant, visitor_id: str) -> str:
    """Hex HMAC-SHA256 under SECRET_KEY binding an anonymous visitor id to its tenant (stateless)."""
    message = f"switchboard visitor secret\x00{tenant.id}\x00{visitor_id}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def open_session(request: SessionRequest, tenant: Tenant, settings: Settings, ws_url: str) -> SessionResponse:
    assert settings.secret_key is not None  # the Settings validator guarantees it
    visitor, conversation = _visitor_and_conversation(request, tenant, settings.secret_key)
    # Only a verified visitor is named: an anonymous widget could claim to be anyone.
    verified = visitor.startswith("u_")
    token = tokens.sign(
        settings.secret_key, tenant.id, visitor, conversation, settings.visitor_token_ttl_s,
        name=(request.user_name or "").strip() or None if verified else None,
        email=(request.user_email or "").strip() or None if verified else None,
    )  # fmt: skip
    claims = tokens.verify(settings.secret_key, token)
    return SessionResponse(
        token=token,
        expires_at=claims.expires_at,
        conversation_id=conversation,
        visitor_id=visitor,
        visitor_secret=None if visitor.startswith("u_") else visitor_secret(settings.secret_key, tenant, visitor),
        tenant=PublicTenant.of(tenant),
        ws_url=ws_url,
    )


def _visitor_and_conversation(request: SessionRequest, tenant: Tenant, secret: str) -> tuple[str, str]:
    previous = _previous_claims(request.previous_token, tenant, secret)
    if request.user_id is not None or request.user_hash is not None:
        if not request.user_id or not request.user_hash:
            raise SessionError(401, "Expected both user_id and user_hash for identity verification, got one")
        if not tenant.verify_identity(request.user_id, request.user_hash):
            raise SessionError(401, f"Expected user_hash to be the HMAC of user_id for tenant {tenant.id!r}")
        visitor = verified_visitor_id(tenant, request.user_id)
        # A verified conversation continues only for the same verified user.
        if previous is not None and previous.visitor == visitor:
            return visitor, previous.conversation
        return visitor, _new_conversation()
    # `u_` ids are reserved for verified visitors; an anonymous widget may not claim or continue one.
    if previous is not None and not previous.visitor.startswith("u_"):
        return previous.visitor, previous.conversation
    # An anonymous id is kept only by the client it was given to (its secret): never attach a
    # new conversation to a visitor id someone else presents.
    if request.visitor_id and not request.visitor_id.startswith("u_") and request.visitor_secret:
        expected = visitor_secret(secret, tenant, request.visitor_id)
        if hmac.compare_digest(expected, request.visitor_secret):
            return request.visitor_id, _new_conversation()
    return f"v_{uuid.uuid4().hex}", _new_conversation()


def _new_conversation() -> str:
    return uuid.uuid4().hex


def _previous_claims(token: str | None, tenant: Tenant, secret: str) -> tokens.VisitorClaims | None:
    """The claims of a previous token of this tenant, even expired within the grace period."""
    if not token:
        return None
    try:
        claims = tokens.verify(secret, token, expired_grace=tokens.PREVIOUS_TOKEN_GRACE)
    except tokens.TokenError:
        return None
    return claims if claims.tenant == tenant.id else None
