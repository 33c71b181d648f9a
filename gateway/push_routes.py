"""``POST /v1/push/conversations/{id}/messages``: the business's backend posts into a visitor's conversation.

Server to server, authenticated with one of the tenant's secret ``api_keys``. The message (text
and/or components, e.g. an "order shipped" card) is stored in the conversation like any
assistant reply: a widget that is open shows it at once, one that is closed gets it on its next
open (it resumes after the last event it saw). ``client_id`` makes a retry post it once.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, model_validator

from gateway.context import gateway_of
from shared.bus import emit
from shared.events import Author, Component, MessageCompleted
from shared.subjects import CONV_STREAM, Channel, check_token, conversation_pattern
from shared.tenants import Tenant
from shared.widget_protocol import ClientId, StorableText

router = APIRouter()
_bearer = HTTPBearer(auto_error=False, description="One of the tenant's api_keys (server to server only).")
_NAMESPACE = uuid.UUID("9d4b1f7c-2e6a-4c3d-8b5e-1a0f6c2d7e94")


class PushMessage(BaseModel):
    text: StorableText = Field("", max_length=8000, description="Plain text of the message.")
    components: list[Component] = Field(default_factory=list, max_length=10, description="See docs/components.md.")
    client_id: ClientId | None = Field(None, description="Your id for this message: a retry with it posts it once.")
    author: str | None = Field(None, max_length=100, description="Shown as the sender (default: the assistant's name).")

    @model_validator(mode="after")
    def _says_something(self) -> PushMessage:
        if not self.text.strip() and not self.components:
            raise ValueError("Expected text or at least one component")
        return self


class Pushed(BaseModel):
    message_id: str
    seq: int | None = Field(None, description="Its sequence in the conversation.")


def pushing_tenant(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Tenant:
    if credentials is None:
        raise HTTPException(401, "Expected 'Authorization: Bearer <tenant api key>', got none")
    tenant = next((t for t in gateway_of(request).tenants.tenants if t.api_key_matches(credentials.credentials)), None)
    if tenant is None:
        raise HTTPException(401, "Expected one of a tenant's api_keys, got an unknown key")
    return tenant


@router.post(
    "/v1/push/conversations/{conversation_id}/messages", response_model=Pushed, status_code=201, tags=["server"]
)
async def push_message(
    conversation_id: str, body: PushMessage, request: Request, tenant: Annotated[Tenant, Depends(pushing_tenant)]
) -> Pushed:
    """Post a message and/or components into one of the tenant's existing conversations."""
    try:
        check_token(conversation_id, "conversation id")
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    gateway = gateway_of(request)
    info = await gateway.js.stream_info(
        CONV_STREAM, subjects_filter=conversation_pattern(Channel.CONV, tenant.id, conversation_id)
    )
    if not info.state.subjects:
        raise HTTPException(404, f"Expected a conversation of tenant {tenant.id!r}, got unknown {conversation_id!r}")
    key = body.client_id or uuid.uuid4().hex
    message_id = "push-" + uuid.uuid5(_NAMESPACE, f"{tenant.id}:{conversation_id}:{key}").hex
    seq = await emit(
        gateway.broker,
        MessageCompleted(
            id=message_id,
            tenant_id=tenant.id,
            conversation_id=conversation_id,
            message_id=message_id,
            role="assistant",
            text=body.text,
            author=Author(name=body.author or tenant.assistant_name),
            components=body.components,
            generated=False,
        ),
    )
    return Pushed(message_id=message_id, seq=seq)
