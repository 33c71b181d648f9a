"""HTTP routes: open a widget session, public widget config, health."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gateway.context import GatewayDep
from gateway.limits import Limited
from gateway.sessions import (
    PublicTenant,
    SessionError,
    SessionRequest,
    SessionResponse,
    check_origin,
    find_tenant,
    open_session,
)

router = APIRouter()


@router.post(
    "/v1/session",
    response_model=SessionResponse,
    tags=["widget"],
    responses={429: {"description": "Over the tenant's session limit; see Retry-After."}},
)
async def create_session(
    body: SessionRequest, request: Request, gateway: GatewayDep, origin: Annotated[str | None, Header()] = None
) -> SessionResponse:
    """Start or continue a visitor's conversation; returns the token for the WebSocket."""
    try:
        tenant = find_tenant(gateway.tenants, body.widget_key)
        check_origin(tenant, origin)
        await gateway.limits.session(tenant.limits, tenant.id, request.client.host if request.client else "")
        return open_session(body, tenant, gateway.settings, ws_url=_ws_url(request))
    except SessionError as exc:
        raise HTTPException(exc.status, exc.message) from exc
    except Limited as exc:
        raise HTTPException(
            429,
            f"Too many sessions ({exc.what}); retry after {exc.retry_after_s} s",
            headers={"Retry-After": str(exc.retry_after_s)},
        ) from exc


@router.get("/v1/widget-config/{widget_key}", response_model=PublicTenant, tags=["widget"])
async def widget_config(widget_key: str, gateway: GatewayDep) -> PublicTenant:
    """The tenant's public widget configuration (theme, strings, layout)."""
    try:
        return PublicTenant.of(find_tenant(gateway.tenants, widget_key))
    except SessionError as exc:
        raise HTTPException(exc.status, exc.message) from exc


@router.get("/healthz", tags=["ops"])
async def healthz(gateway: GatewayDep) -> dict[str, bool]:
    connected = gateway.broker.config.connection_state.connection.is_connected
    if not connected:
        raise HTTPException(503, "Expected a NATS connection, got none")
    return {"ok": True, "nats": connected}


def _ws_url(request: Request) -> str:
    scheme = "wss" if request.url.scheme == "https" else "ws"
    return str(request.url_for("widget_socket").replace(scheme=scheme))


class AsciiJSONResponse(JSONResponse):
    """JSON with non-ASCII escaped: a lone surrogate a client sent can be echoed back without failing."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()


async def invalid_request(_: Request, exc: Exception) -> JSONResponse:
    """422 for a malformed request, which may quote input no UTF-8 encoder accepts."""
    assert isinstance(exc, RequestValidationError)
    return AsciiJSONResponse(status_code=422, content={"detail": jsonable_encoder(exc.errors())})
