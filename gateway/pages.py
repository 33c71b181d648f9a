"""The widget script (written by the widget package) when present; the demo pages and their assets when on.

The demo pages (/, /demo, /static) use the public demo tenants: off by default in production
(``DEMO_PAGES=true`` turns them on).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"
WIDGET_JS = STATIC / "widget" / "switchboard-widget.js"
DEMO_HTML = STATIC / "demo" / "index.html"


def _file(path: Path, media_type: str) -> FileResponse:
    # Looked up per request: the widget files may appear after the gateway started.
    if not path.is_file():
        raise HTTPException(404, f"Expected {path.relative_to(STATIC.parent)} to exist, it does not (yet)")
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})


def mount(app: FastAPI, *, demo_pages: bool) -> None:
    @app.get("/widget.js", include_in_schema=False)
    async def widget_js() -> FileResponse:
        return _file(WIDGET_JS, "text/javascript")

    if not demo_pages:
        return

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return _file(STATIC / "index.html", "text/html")

    @app.get("/demo", include_in_schema=False)
    async def demo() -> FileResponse:
        return _file(DEMO_HTML, "text/html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
