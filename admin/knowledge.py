"""Knowledge documents of a tenant: upload (checked, converted, stored), index in the background, delete.

An upload is refused before anything is stored when it is too large (413), not a text, markdown,
HTML or PDF document (415), or cannot be read or holds no text (422). Else its markdown is stored
(``queued``) and indexed in the background on this replica: ``indexing`` (chunked by structure,
its language detected) then ``ready`` (or ``failed`` with the reason). Every change is audited and
published to ``sb_knowledge``: each orchestrator then rebuilds the tenant's index from the database
and swaps it in (shared.knowledge.uploads).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from admin.changes import NotFound, configured_row
from admin.context import Admin
from shared.db.audit import AdminAudit
from shared.db.base import utcnow
from shared.db.knowledge import KnowledgeDocument
from shared.knowledge.convert import UnsupportedDocument, convert, declared_kind, kind_of
from shared.knowledge.index import Document
from shared.knowledge.uploads import doc_key, publish_knowledge

log = logging.getLogger(__name__)

GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
ACCEPTED = "text (.txt), markdown (.md), HTML (.html) or PDF (.pdf)"


class TooLarge(ValueError):
    pass


class UnsupportedType(ValueError):
    pass


class Unreadable(ValueError):
    pass


class Duplicate(ValueError):
    pass


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise TooLarge(f"Expected a document of at most {limit} bytes, got {size} bytes")


def kind_of_upload(upload: Upload) -> str:
    """The document's kind, or UnsupportedType: a declared type or extension must be one we read;
    an upload naming neither (octet-stream, no extension) is judged by its bytes."""
    kind = declared_kind(upload.filename, upload.content_type)
    if kind is not None:
        return kind
    base_type = upload.content_type.split(";")[0].strip().lower()
    if base_type in GENERIC_TYPES:
        try:
            return kind_of(upload.data, upload.filename)
        except UnsupportedDocument:
            pass
    raise UnsupportedType(f"Expected {ACCEPTED}, got {upload.content_type or 'no type'} ({upload.filename!r})")


def to_markdown(upload: Upload, kind: str) -> str:
    """The upload converted (CPU work: call it in a thread); Unreadable when damaged or without text."""
    content_type = {"markdown": "text/markdown", "text": "text/plain", "html": "text/html", "pdf": "application/pdf"}
    try:
        markdown = convert(upload.data, upload.filename, content_type[kind])
    except UnsupportedDocument as exc:
        raise Unreadable(f"Expected a readable {kind} document, got one that is not: {exc}") from exc
    if not markdown.strip():
        raise Unreadable(f"Expected a {kind} document with text, found none (a scanned PDF has only images)")
    return markdown


def _audit(key_id: str, action: str, doc: KnowledgeDocument) -> AdminAudit:
    about = {"filename": doc.filename, "size": doc.size, "sha256": doc.sha256}
    before, after = (None, about) if action == "knowledge.upload" else (about, None)
    return AdminAudit(
        key_id=key_id,
        action=action,
        tenant_id=doc.tenant_id,
        before_sha256=None,
        after_sha256=None,
        diff=[{"path": f"knowledge.{doc.id}", "before": before, "after": after}],
    )


async def upload(admin: Admin, key_id: str, tenant_id: str, item: Upload) -> KnowledgeDocument:
    """Check, convert and store ``item``; its indexing starts in the background."""
    await configured_row(admin, tenant_id)  # NotFound for an unknown tenant
    check_size(len(item.data), admin.knowledge_max_bytes)
    kind = kind_of_upload(item)
    markdown = await asyncio.to_thread(to_markdown, item, kind)
    digest = hashlib.sha256(item.data).hexdigest()
    async with admin.sessions() as session, session.begin():
        same = await session.scalar(
            select(KnowledgeDocument.id).where(
                KnowledgeDocument.tenant_id == tenant_id, KnowledgeDocument.sha256 == digest
            )
        )
        if same is not None:
            raise Duplicate(f"Expected a new document, got one already uploaded as document {same}")
        doc = KnowledgeDocument(
            tenant_id=tenant_id,
            filename=item.filename[:255],
            content_type=(item.content_type or "application/octet-stream")[:100],
            kind=kind,
            size=len(item.data),
            sha256=digest,
            markdown=markdown,
            status="queued",
            progress=0.0,
            passages=0,
            uploaded_by=key_id,
        )
        session.add(doc)
        await session.flush()
        session.add(_audit(key_id, "knowledge.upload", doc))
    start_indexing(admin, doc.id)
    return doc


def start_indexing(admin: Admin, document_id: int) -> None:
    task = asyncio.create_task(index_document(admin, document_id), name=f"knowledge-index-{document_id}")
    admin.tasks.add(task)
    task.add_done_callback(admin.tasks.discard)


async def _set(admin: Admin, document_id: int, **values: object) -> None:
    async with admin.sessions() as session, session.begin():
        await session.execute(
            update(KnowledgeDocument).where(KnowledgeDocument.id == document_id).values(**values, updated_at=utcnow())
        )


async def index_document(admin: Admin, document_id: int) -> None:
    """queued -> indexing -> ready (or failed), then every orchestrator is told to rebuild the tenant's index."""
    async with admin.sessions() as session:
        doc = await session.get(KnowledgeDocument, document_id)
    if doc is None:  # deleted meanwhile
        return
    try:
        await _set(admin, document_id, status="indexing", progress=0.25)
        parsed = await asyncio.to_thread(Document.of, doc_key(doc.id, doc.filename), doc.markdown)
        if not parsed.passages:
            raise Unreadable("no passages: the document has no text to index")
        await _set(admin, document_id, progress=0.75, passages=len(parsed.passages), language=parsed.lang)
        await _set(admin, document_id, status="ready", progress=1.0, error=None)
    except Exception as exc:
        log.exception("indexing knowledge document %s failed", document_id)
        await _set(admin, document_id, status="failed", error=str(exc)[:2000])
        return
    await _publish(admin, doc.tenant_id)


async def resume_indexing(admin: Admin) -> int:
    """Index again the documents a stopped replica left queued or indexing; how many."""
    async with admin.sessions() as session:
        ids = list(
            await session.scalars(
                select(KnowledgeDocument.id).where(KnowledgeDocument.status.in_(("queued", "indexing")))
            )
        )
    for document_id in ids:
        start_indexing(admin, document_id)
    return len(ids)


async def documents(admin: Admin, tenant_id: str) -> list[KnowledgeDocument]:
    await configured_row(admin, tenant_id)
    async with admin.sessions() as session:
        rows = await session.scalars(
            select(KnowledgeDocument).where(KnowledgeDocument.tenant_id == tenant_id).order_by(KnowledgeDocument.id)
        )
        return list(rows)


async def document(admin: Admin, tenant_id: str, document_id: int) -> KnowledgeDocument:
    async with admin.sessions() as session:
        doc = await session.get(KnowledgeDocument, document_id)
    if doc is None or doc.tenant_id != tenant_id:
        raise NotFound(f"Expected a document of tenant {tenant_id!r}, got unknown id {document_id}")
    return doc


async def remove(admin: Admin, key_id: str, tenant_id: str, document_id: int) -> None:
    """Delete the document; every orchestrator drops it from the tenant's index."""
    async with admin.sessions() as session, session.begin():
        doc = await session.get(KnowledgeDocument, document_id)
        if doc is None or doc.tenant_id != tenant_id:
            raise NotFound(f"Expected a document of tenant {tenant_id!r}, got unknown id {document_id}")
        session.add(_audit(key_id, "knowledge.delete", doc))
        await session.execute(delete(KnowledgeDocument).where(KnowledgeDocument.id == document_id))
    await _publish(admin, tenant_id)


async def _publish(admin: Admin, tenant_id: str) -> None:
    if admin.knowledge_kv is not None:
        await publish_knowledge(admin.knowledge_kv, tenant_id)
