"""The agent console page and its assets."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

from gateway.pages import WIDGET_JS

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/console")


@router.get("/console")
async def console() -> FileResponse:
    return FileResponse(STATIC_DIR / "console.html", headers={"Cache-Control": "no-cache"})


@router.get("/console/widget.js")
async def widget_js() -> FileResponse:
    """The visitor's widget script, for its markdown renderer (Switchboard.renderMarkdown): the console
    previews an agent's reply with the very rules the visitor's widget applies (never HTML)."""
    if not WIDGET_JS.is_file():
        raise HTTPException(404, "Expected the widget script to exist, it does not (yet)")
    return FileResponse(WIDGET_JS, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
