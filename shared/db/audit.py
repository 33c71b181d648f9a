"""The admin audit log: one row per change made through the admin API (who, what, when, before/after)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, JSONType, UTCDateTime, utcnow


class AdminAudit(Base):
    __tablename__ = "admin_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    key_id: Mapped[str] = mapped_column(String(64), doc="The admin key's id (never the key).")
    action: Mapped[str] = mapped_column(String(64), doc="tenant.create, tenant.update, tenant.disable, ...")
    tenant_id: Mapped[str] = mapped_column(String(64), index=True)
    agent_id: Mapped[str | None] = mapped_column(String(64), doc="For agent.* actions: which agent.")
    before_sha256: Mapped[str | None] = mapped_column(String(64), doc="Hash of the configuration before; None: new.")
    after_sha256: Mapped[str | None] = mapped_column(String(64))
    diff: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONType, default=list, doc="Changed paths ({path, before, after}); secret values shown as '***'."
    )
