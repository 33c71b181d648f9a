"""What the admin API reads and answers (the tenant configuration itself is shared.tenants.Tenant)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from admin.changes import redact
from shared.db.agents import AgentRow
from shared.db.audit import AdminAudit
from shared.db.tenants import TenantRow
from shared.tenants import Tenant


def new_widget_key() -> str:
    return "pk_" + secrets.token_urlsafe(24)


class NewTenant(Tenant):
    """A tenant's full configuration (see shared.tenants.Tenant); the widget key is generated when left out."""

    widget_key: str = Field(default_factory=new_widget_key, description="Public key embedded in the tenant's site.")


class TenantView(BaseModel):
    id: str
    name: str | None
    disabled: bool
    source: Literal["file", "admin"] = Field(
        description="file: follows the tenants file (seed); admin: changed through this API, owned by the database."
    )
    version: int = Field(description="Bumped by every change.")
    updated_at: datetime | None
    config: dict[str, Any] = Field(description="The configuration (shared.tenants.Tenant), secrets shown as '***'.")

    @classmethod
    def of(cls, row: TenantRow) -> TenantView:
        return cls(
            id=row.id,
            name=row.name,
            disabled=row.disabled,
            source=row.source,  # type: ignore[arg-type]
            version=row.version,
            updated_at=row.updated_at,
            config=redact(row.config or {}),
        )


Rotatable = Literal["widget_key", "identity_secret", "webhook_secret", "handoff_webhook_secret", "api_key"]


class Rotation(BaseModel):
    secret: Rotatable = Field(
        description="widget_key: a new public key (the old one stops working at once); identity_secret, "
        "webhook_secret, handoff_webhook_secret: replaced; api_key: a new key added, the previous one kept "
        "(the older ones dropped) so the business can switch over."
    )


class Rotated(BaseModel):
    tenant: TenantView
    secret: Rotatable
    value: str = Field(description="The new key or secret; shown this once (reads show '***').")


class AuditEntry(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    at: datetime
    key_id: str = Field(description="The admin key's id (from ADMIN_API_KEYS).")
    action: str
    tenant_id: str
    agent_id: str | None = Field(None, description="For agent.* actions: which agent.")
    before_sha256: str | None = Field(description="SHA-256 of the canonical configuration JSON before; None: created.")
    after_sha256: str | None
    diff: list[dict[str, Any]] = Field(description="Changed paths: {path, before, after}, secrets as '***'.")

    @classmethod
    def of(cls, row: AdminAudit) -> AuditEntry:
        return cls.model_validate(row)


class AgentInvite(BaseModel):
    id: str = Field(description="Agent id, unique within the tenant (letters, digits, _ and -).")
    name: str = Field(min_length=1, max_length=200, description="Display name shown to visitors.")
    role: Literal["agent", "supervisor"] = "agent"
    capacity: int = Field(3, ge=0, le=100, description="Conversations auto-assigned at once.")
    avatar_url: str | None = None


class AgentPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    role: Literal["agent", "supervisor"] | None = None
    capacity: int | None = Field(None, ge=0, le=100)
    avatar_url: str | None = None


class AgentView(BaseModel):
    tenant_id: str
    id: str
    name: str
    role: str
    capacity: int
    avatar_url: str | None
    disabled: bool
    source: Literal["file", "admin"]
    version: int
    updated_at: datetime | None

    @classmethod
    def of(cls, row: AgentRow) -> AgentView:
        c = row.config
        return cls(
            tenant_id=row.tenant_id,
            id=row.id,
            name=c["name"],
            role=c.get("role", "agent"),
            capacity=c.get("capacity", 3),
            avatar_url=c.get("avatar_url"),
            disabled=row.disabled,
            source=row.source,  # type: ignore[arg-type]
            version=row.version,
            updated_at=row.updated_at,
        )


class AgentWithToken(BaseModel):
    agent: AgentView
    token: str = Field(description="The agent's bearer token (console login); shown this once, stored as its sha256.")
