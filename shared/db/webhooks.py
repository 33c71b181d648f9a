"""Outgoing webhook attempts, of every webhook type: one row per HTTP attempt, so retries are visible.

Only the target's status and a short reason are kept (``error``), never its response body.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, UTCDateTime, utcnow


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("webhook_type", "event_id", "attempt"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_type: Mapped[str] = mapped_column(
        String(64), server_default="turn.completed", doc="turn.completed or handoff.state_changed."
    )
    tenant_id: Mapped[str] = mapped_column(String(64), index=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    event_id: Mapped[str] = mapped_column(String(200), doc="The event the webhook reports; its webhook-id header.")
    url: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer, doc="1 for the first try, counting across redeliveries.")
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text, doc="Status and standard reason, or why it was not sent.")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
