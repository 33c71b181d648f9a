"""Messages materialised from message.user / message.completed / message.cancelled events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, JSONType, UTCDateTime

STATUSES = ("completed", "cancelled")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_seq", "conversation_id", "seq"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True, doc="The events' message_id.")
    tenant_id: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    visitor_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="completed")
    reply_to: Mapped[str | None] = mapped_column(String(200))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    seq: Mapped[int] = mapped_column(BigInteger, doc="Seq of the event that last wrote this row.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
