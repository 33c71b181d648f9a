"""Agent accounts as the database holds them: seeded from HANDOFF_AGENTS_FILE, managed by the admin API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, JSONType, UTCDateTime, utcnow


class AgentRow(Base):
    __tablename__ = "agents"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(
        JSONType, doc="The account (handoff.agents.AgentAccount as JSON; the token only as its sha256)."
    )
    source: Mapped[str] = mapped_column(
        String(16), default="file", doc="file: follows the agents file; admin: managed through the admin API."
    )
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=0, doc="Bumped by every change.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}
