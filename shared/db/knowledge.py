"""Documents uploaded through the admin API for a tenant's knowledge base (docs/knowledge.md).

The converted markdown is stored, not the upload: replicas need not share a filesystem, and every
orchestrator rebuilds the tenant's index from these rows (shared.knowledge.uploads).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, UTCDateTime, utcnow

STATUSES = ("queued", "indexing", "ready", "failed")


class KnowledgeDocument(Base):
    __tablename__ = "knowledge_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100), doc="As sent; the kind converted is in `kind`.")
    kind: Mapped[str] = mapped_column(String(16), doc="markdown, text, html or pdf (shared.knowledge.convert).")
    size: Mapped[int] = mapped_column(Integer, doc="Bytes uploaded.")
    sha256: Mapped[str] = mapped_column(String(64), doc="Of the bytes uploaded.")
    markdown: Mapped[str] = mapped_column(Text, doc="The document converted to markdown: what is indexed.")
    status: Mapped[str] = mapped_column(String(16), default="queued", doc="queued, indexing, ready or failed.")
    progress: Mapped[float] = mapped_column(Float, default=0.0, doc="0-1: the share of indexing steps done.")
    passages: Mapped[int] = mapped_column(Integer, default=0, doc="Passages the document was cut into.")
    language: Mapped[str | None] = mapped_column(String(16), doc="Detected language (ISO 639-1).")
    error: Mapped[str | None] = mapped_column(Text, doc="Why indexing failed.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uploaded_by: Mapped[str] = mapped_column(String(64), doc="The admin key's id.")
