"""The admin page (/admin) and what it needs to know: where browsers reach the gateway (its widget preview)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from handoff.routes.console import STATIC_DIR
from shared.settings import Settings


def router_for(settings: Settings) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    gateway_url = settings.gateway_url()

    @router.get("/admin")
    async def admin_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "admin.html", headers={"Cache-Control": "no-cache"})

    @router.get("/admin/page-config")
    async def page_config() -> dict[str, str]:
        """Public: the gateway's URL (GATEWAY_PUBLIC_URL), which the page's preview widget talks to."""
        return {"gateway_url": gateway_url}

    return router
