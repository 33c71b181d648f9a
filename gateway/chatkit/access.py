"""Who is asking: the visitor token of POST /v1/session (the widget session), and which threads are theirs.

A ChatKit thread is one of our conversations. A visitor may use the conversation their token
names, and any other conversation of the same tenant whose stored visitor messages are theirs
(the stream says so, or the recorder's database for conversations the stream no longer keeps). Tokens come as
``Authorization: Bearer <token>`` or, for EventSource which cannot set headers, ``?token=``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from fastapi import HTTPException
from starlette.requests import HTTPConnection

from gateway import replay, tokens
from gateway.chatkit import records
from gateway.chatkit.follow import Follow, last_of
from gateway.commands import Visitor
from gateway.context import Gateway, gateway_of
from gateway.limits import Limited
from gateway.sessions import SessionError, check_origin
from shared.events import UserMessage
from shared.subjects import TOKEN_RE
from shared.tenants import Tenant

USER_MESSAGE = UserMessage.model_fields["type"].default


@dataclass
class Caller:
    """The verified visitor behind one request, and what the request published (seq per thread)."""

    gateway: Gateway
    tenant: Tenant
    claims: tokens.VisitorClaims
    published: dict[str, int] = field(default_factory=dict)
    fresh: set[str] = field(default_factory=set)  # ids of new visitor messages not yet published
    new_thread: str | None = None  # the id threads.create will use (chosen before ChatKit asks)
    # Subscriptions opened before this request published, handed to the response that follows them.
    follows: dict[str, Follow] = field(default_factory=dict)

    def follow(self, thread_id: str) -> Follow:
        """The thread's subscription opened before publishing, else a new one."""
        return self.follows.pop(thread_id, None) or Follow(self.gateway, self.visitor(thread_id))

    async def close(self) -> None:
        """Close subscriptions no response took (the request failed or was cancelled first)."""
        for follow in self.follows.values():
            await follow.close()
        self.follows.clear()

    async def count_message(self, thread_id: str) -> None:
        """One stored visitor message against the tenant's message limits, as the widget socket counts them.

        HTTP 429 with Retry-After when over: the message was not stored.
        """
        try:
            await self.gateway.limits.message(self.tenant.limits, self.tenant.id, thread_id, self.claims.visitor)
        except Limited as exc:
            raise HTTPException(
                429,
                f"Too many messages ({exc.what}): this one was not stored; send it again in {exc.retry_after_s} s",
                headers={"Retry-After": str(exc.retry_after_s)},
            ) from exc

    def visitor(self, thread_id: str) -> Visitor:
        return Visitor(tenant_id=self.tenant.id, conversation_id=thread_id, visitor_id=self.claims.visitor)

    async def owns(self, thread_id: str) -> bool:
        if thread_id == self.claims.conversation:
            return True
        if not TOKEN_RE.match(thread_id):
            return False
        found = await last_of(self.gateway.js, self.visitor(thread_id), USER_MESSAGE)
        if found is None:  # older than the stream keeps, or nothing said yet: ask the recorder
            return await records.owner_of(self.gateway.settings, self.tenant.id, thread_id) == self.claims.visitor
        try:
            return json.loads(found[1]).get("visitor_id") == self.claims.visitor
        except (ValueError, AttributeError):
            return False

    async def claimable(self, thread_id: str) -> bool:
        """Theirs, or a well-formed id with nothing stored yet (an AG-UI client picks its thread id)."""
        if await self.owns(thread_id):
            return True
        if not TOKEN_RE.match(thread_id):
            return False
        async for _ in replay.stored_after(self.gateway.js, self.visitor(thread_id)):
            return False
        return await records.owner_of(self.gateway.settings, self.tenant.id, thread_id) is None

    async def require(self, thread_id: str) -> Visitor:
        if not await self.owns(thread_id):
            raise ThreadNotFound(thread_id)
        return self.visitor(thread_id)

    async def new_thread_id(self) -> str:
        """The token's own conversation while it is empty, else a new one for this visitor."""
        if await last_of(self.gateway.js, self.visitor(self.claims.conversation), USER_MESSAGE) is None:
            return self.claims.conversation
        return uuid.uuid4().hex


class ThreadNotFound(Exception):
    def __init__(self, thread_id: str) -> None:
        super().__init__(f"Expected a thread of this visitor, got {thread_id!r}")
        self.thread_id = thread_id


def token_of(conn: HTTPConnection) -> str:
    header = conn.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    token = conn.query_params.get("token")
    if token:
        return token
    raise HTTPException(
        401, "Expected 'Authorization: Bearer <visitor token from POST /v1/session>' or ?token=, got none"
    )


def caller_of(conn: HTTPConnection) -> Caller:
    """The verified caller of a request, or HTTPException 401/403."""
    gateway = gateway_of(conn)
    assert gateway.settings.secret_key is not None  # the Settings validator guarantees it
    try:
        claims = tokens.verify(gateway.settings.secret_key, token_of(conn))
    except tokens.TokenError as exc:
        raise HTTPException(401, str(exc)) from exc
    tenant = gateway.tenants.by_id(claims.tenant)
    if tenant is None:
        raise HTTPException(401, f"Expected a token of a known tenant, got {claims.tenant!r}")
    try:
        check_origin(tenant, conn.headers.get("origin"))
    except SessionError as exc:
        raise HTTPException(exc.status, exc.message) from exc
    return Caller(gateway=gateway, tenant=tenant, claims=claims)
