"""``GET /v1/conversations/{id}/events``: a visitor pages through their conversation's history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from gateway import tokens
from gateway.ownership import NotYours, check_owner
from gateway.sessions import SessionError, check_origin
from shared.db import Conversation
from shared.db.deps import SessionDep, SettingsDep
from shared.db.history import conversation_events
from shared.settings import Settings
from shared.tenants import TenantDirectory, cached_tenants

router = APIRouter()
PAGE_MAX = 200
_bearer = HTTPBearer(auto_error=False, description="The visitor token from POST /v1/session.")


def _tenants(request: Request, settings: Settings) -> TenantDirectory:
    """The gateway's own directory (kept current by shared.tenant_sync); the file's when mounted alone."""
    gateway = getattr(request.state, "gateway", None)
    return gateway.tenants if gateway is not None else cached_tenants(settings.tenants_file)


def visitor_claims(
    request: Request,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    origin: Annotated[str | None, Header()] = None,
) -> tokens.VisitorClaims:
    """The token's claims, for a known tenant and an origin that tenant allows (as /v1/session and /v1/ws)."""
    if credentials is None:
        raise HTTPException(401, "Expected 'Authorization: Bearer <visitor token>', got none")
    assert settings.secret_key is not None  # the Settings validator guarantees it
    try:
        claims = tokens.verify(settings.secret_key, credentials.credentials)
    except tokens.TokenError as exc:
        raise HTTPException(401, str(exc)) from exc
    tenant = _tenants(request, settings).by_id(claims.tenant)
    if tenant is None:
        raise HTTPException(401, f"Expected a token of a known tenant, got {claims.tenant!r}")
    try:
        check_origin(tenant, origin)
    except SessionError as exc:
        raise HTTPException(exc.status, exc.message) from exc
    return claims


ClaimsDep = Annotated[tokens.VisitorClaims, Depends(visitor_claims)]


class EventPage(BaseModel):
    conversation_id: str
    events: list[dict[str, Any]] = Field(
        description="Events as the widget receives them, each with its seq; oldest first."
    )
    has_more: bool = Field(
        description="More events exist beyond this page: after the last one when paging with after_seq, "
        "else before the first one."
    )


@router.get("/v1/conversations/{conversation_id}/events", response_model=EventPage, tags=["widget"])
async def conversation_history(
    conversation_id: str,
    claims: ClaimsDep,
    session: SessionDep,
    after_seq: Annotated[int | None, Query(ge=0, description="Page forward from just after this seq.")] = None,
    before_seq: Annotated[int | None, Query(ge=0, description="Page back from just before this seq.")] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
) -> EventPage:
    """The conversation's visitor-visible events, for the visitor whose token names it."""
    if claims.conversation != conversation_id:
        raise HTTPException(403, f"Expected the conversation of this token, got {conversation_id!r}")
    # The token is the proof; the recorded owner must agree with it when there is one.
    try:
        check_owner(await session.get(Conversation, conversation_id), claims.tenant, claims.visitor)
    except NotYours as exc:
        raise HTTPException(403, str(exc)) from exc
    # One extra row tells whether there is more; it is dropped from the far end of the page.
    events = list(await conversation_events(session, claims.tenant, conversation_id, after_seq, before_seq, limit + 1))
    has_more = len(events) > limit
    if has_more:
        events = events[:limit] if after_seq is not None else events[1:]
    return EventPage(conversation_id=conversation_id, events=[e.payload for e in events], has_more=has_more)
