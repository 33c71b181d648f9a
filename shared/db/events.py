"""Every durable event, as it travelled: the audit log and the source of conversation history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, JSONType, UTCDateTime, utcnow


class StoredEvent(Base):
    __tablename__ = "events"
    # seq is a stream sequence: increasing per conversation but not dense, and each
    # stream (channel) counts on its own, so uniqueness needs the channel too.
    __table_args__ = (UniqueConstraint("conversation_id", "channel", "seq"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True, doc="The event id (JetStream Nats-Msg-Id).")
    tenant_id: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(8), doc="'conv' (visitor-visible) or 'ops' (internal).")
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, doc="The event as published, with its seq.")
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
