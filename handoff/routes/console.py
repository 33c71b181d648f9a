"""The agent console page and its assets."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/console")


@router.get("/console")
async def console() -> FileResponse:
    return FileResponse(STATIC_DIR / "console.html", headers={"Cache-Control": "no-cache"})


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
