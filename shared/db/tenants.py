"""Tenants as the database knows them: created on first sight by the recorder; their configuration
(``config``, a Tenant's JSON) written by the admin API, or seeded from the tenants file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, JSONType, UTCDateTime, utcnow


class TenantRow(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    config: Mapped[dict[str, Any] | None] = mapped_column(
        JSONType, doc="The tenant's configuration (shared.tenants.Tenant as JSON); None: only seen, not configured."
    )
    source: Mapped[str] = mapped_column(
        String(16),
        default="file",
        server_default="file",
        doc="file: follows the tenants file (re-seeded at start); admin: changed through the admin API, owned here.",
    )
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0", doc="Bumped by every change.")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Optimistic concurrency: an ORM update of a row another writer changed meanwhile raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}
