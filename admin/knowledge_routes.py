"""Knowledge documents under /admin/v1/tenants/{tenant_id}/knowledge (docs/admin.md); the work is in admin.knowledge."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from admin import knowledge
from admin.auth import KeyIdDep
from admin.changes import NotFound
from admin.context import AdminDep
from shared.db.knowledge import KnowledgeDocument

router = APIRouter(prefix="/admin/v1/tenants/{tenant_id}/knowledge", tags=["admin: knowledge"])

# Room for the multipart envelope around the file (boundaries, headers).
MULTIPART_OVERHEAD = 64 * 1024
# Never read more than this, whatever ADMIN_KNOWLEDGE_MAX_BYTES says (a body without Content-Length).
HARD_CAP = 256 * 1024 * 1024

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


class DocumentView(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    tenant_id: str
    filename: str
    content_type: str = Field(description="As uploaded.")
    kind: Literal["markdown", "text", "html", "pdf"] = Field(description="What it was converted from.")
    size: int = Field(description="Bytes uploaded.")
    sha256: str
    status: Literal["queued", "indexing", "ready", "failed"]
    progress: float = Field(description="0-1: the share of indexing steps done.")
    passages: int = Field(description="Passages it was cut into (when indexed).")
    language: str | None
    error: str | None = Field(description="Why indexing failed.")
    created_at: datetime
    updated_at: datetime | None
    uploaded_by: str = Field(description="The admin key's id.")

    @classmethod
    def of(cls, row: KnowledgeDocument) -> DocumentView:
        return cls.model_validate(row)


class DocumentText(DocumentView):
    markdown: str = Field(description="The document as converted: what is indexed.")


def _too_large(message: str) -> HTTPException:
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, message)


async def _read_upload(request: Request, limit: int) -> knowledge.Upload:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit + MULTIPART_OVERHEAD:
        raise _too_large(f"Expected a document of at most {limit} bytes, got a request of {length} bytes")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "Expected multipart/form-data with the document as field 'file'"
        )
    form = await request.form(max_files=1, max_fields=4)
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "Expected the document as form field 'file'")
        if file.size is not None and file.size > limit:
            raise _too_large(f"Expected a document of at most {limit} bytes, got {file.size} bytes")
        data = await file.read(limit + 1)
        return knowledge.Upload(file.filename or "document", file.content_type or "", data)
    finally:
        await form.close()


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Upload a document (text, markdown, HTML, PDF); indexed in the background",
    description="Multipart, field `file`. 413 over ADMIN_KNOWLEDGE_MAX_BYTES, 415 for another type, 422 for a "
    "damaged document or one without text (nothing stored), 409 for a document already uploaded. "
    "Answers at once with status `queued`; follow it with GET (`indexing`, then `ready` or `failed`).",
    openapi_extra=UPLOAD_BODY,
    max_body_size=HARD_CAP,
)
async def upload_document(admin: AdminDep, key_id: KeyIdDep, tenant_id: str, request: Request) -> DocumentView:
    item = await _read_upload(request, admin.knowledge_max_bytes)
    try:
        return DocumentView.of(await knowledge.upload(admin, key_id, tenant_id, item))
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except knowledge.TooLarge as exc:
        raise _too_large(str(exc)) from exc
    except knowledge.UnsupportedType as exc:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, str(exc)) from exc
    except knowledge.Unreadable as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    except knowledge.Duplicate as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc


@router.get("", summary="The tenant's uploaded documents with their indexing status and progress")
async def list_documents(admin: AdminDep, _: KeyIdDep, tenant_id: str) -> list[DocumentView]:
    try:
        return [DocumentView.of(row) for row in await knowledge.documents(admin, tenant_id)]
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


@router.get("/{document_id}", summary="One document, with its converted markdown")
async def get_document(admin: AdminDep, _: KeyIdDep, tenant_id: str, document_id: int) -> DocumentText:
    try:
        return DocumentText.model_validate(await knowledge.document(admin, tenant_id, document_id))
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


@router.delete(
    "/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a document; every orchestrator stops answering from it within seconds",
)
async def delete_document(admin: AdminDep, key_id: KeyIdDep, tenant_id: str, document_id: int) -> None:
    try:
        await knowledge.remove(admin, key_id, tenant_id, document_id)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
