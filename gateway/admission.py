"""Who may open the widget socket: a valid token, an allowed origin, its own conversation."""

from __future__ import annotations

from fastapi import WebSocket

from gateway import tokens
from gateway.commands import Visitor
from gateway.context import Gateway
from gateway.sessions import SessionError, check_origin
from shared.widget_protocol import CloseCode

MAX_SEQ = 2**63  # JetStream sequences are unsigned 64-bit; anything near that is garbage


class Refused(Exception):
    """The socket is closed with ``code``; ``reason`` goes into the close frame."""

    def __init__(self, code: CloseCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason.encode()[:120].decode(errors="ignore")  # a close reason holds at most 123 bytes


def admit(gateway: Gateway, websocket: WebSocket) -> tuple[Visitor, int | None]:
    """The visitor on this socket and where to resume, or Refused."""
    params = websocket.query_params
    token = params.get("token")
    if not token:
        raise Refused(CloseCode.UNAUTHORIZED, "Expected ?token= from POST /v1/session, got none")
    assert gateway.settings.secret_key is not None
    try:
        claims = tokens.verify(gateway.settings.secret_key, token)
    except tokens.TokenError as exc:
        raise Refused(CloseCode.UNAUTHORIZED, str(exc)) from exc
    tenant = gateway.tenants.by_id(claims.tenant)
    if tenant is None:
        raise Refused(CloseCode.UNAUTHORIZED, f"Expected a token of a known tenant, got {claims.tenant!r}")
    origin = websocket.headers.get("origin")
    try:
        check_origin(tenant, origin)
    except SessionError as exc:
        raise Refused(CloseCode.FORBIDDEN, f"origin {origin!r} not allowed") from exc
    wanted = params.get("conversation_id")
    if wanted is not None and wanted != claims.conversation:
        raise Refused(CloseCode.FORBIDDEN, "conversation not yours")
    after_seq = params.get("after_seq")
    if after_seq is not None and not (after_seq.isdigit() and int(after_seq) < MAX_SEQ):
        raise Refused(CloseCode.POLICY_VIOLATION, f"Expected after_seq to be an integer >= 0, got {after_seq!r}")
    visitor = Visitor(
        tenant_id=tenant.id,
        conversation_id=claims.conversation,
        visitor_id=claims.visitor,
        name=claims.name,
        email=claims.email,
    )
    return visitor, int(after_seq) if after_seq is not None else None
