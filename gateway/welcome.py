"""The tenant's welcome: the first message of a new conversation, pushed by the backend.

A widget asks for it when it opens a socket on a conversation it has no history of
(``welcome=1``, with ``lang``). It is published as an assistant ``message.completed`` with the
starter prompts as quick replies, on the condition that the conversation has no completed
message yet (JetStream's ``Nats-Expected-Last-Subject-Sequence: 0``): however many sockets
or tabs ask, and whenever, a conversation is welcomed at most once and never mid-way.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from nats.js.errors import APIError

from gateway.commands import Visitor
from shared.events import Author, MessageCompleted
from shared.events.components import Button, QuickReplies
from shared.subjects import CONV_STREAM
from shared.tenants import Tenant

if TYPE_CHECKING:
    from nats.js import JetStreamContext

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("3f1d2a6e-8c47-4b0e-9d2f-7a5c1e6b4d80")
EXPECTED_LAST_SUBJECT_SEQ = "Nats-Expected-Last-Subject-Sequence"
WRONG_LAST_SEQUENCE = (10071, 10164)


def welcome_event(tenant: Tenant, visitor: Visitor, lang: str | None) -> MessageCompleted | None:
    """The welcome of ``tenant`` in ``lang`` for this conversation, or None if it has none."""
    if tenant.welcome is None:
        return None
    words = tenant.welcome.for_language(lang)
    if not words.text and not words.starters:
        return None
    derived = uuid.uuid5(_NAMESPACE, f"{visitor.tenant_id}:{visitor.conversation_id}").hex
    return business_message(tenant, visitor, f"welcome-{derived}", words.text, words.starters)


def business_message(
    tenant: Tenant, visitor: Visitor, message_id: str, text: str, starters: list[str]
) -> MessageCompleted:
    """An assistant message in the business's own words (welcome, nudge): ``generated`` false, so the
    guard has nothing to check; its starters as quick replies."""
    replies = [Button(label=s) for s in starters]
    return MessageCompleted(
        id=message_id,
        tenant_id=visitor.tenant_id,
        conversation_id=visitor.conversation_id,
        message_id=message_id,
        role="assistant",
        author=Author(name=tenant.assistant_name),
        text=text,
        components=[QuickReplies(id=f"starters-{message_id[-24:]}", replies=replies)] if replies else [],
        generated=False,
    )


async def send_welcome(js: JetStreamContext, tenant: Tenant, visitor: Visitor, lang: str | None) -> bool:
    """Publish the welcome if the conversation has no completed message yet; True if it was published now."""
    event = welcome_event(tenant, visitor, lang)
    if event is None:
        return False
    headers = {"Nats-Msg-Id": event.id, EXPECTED_LAST_SUBJECT_SEQ: "0"}
    try:
        ack = await js.publish(event.subject, event.model_dump_json().encode(), stream=CONV_STREAM, headers=headers)
    except APIError as exc:
        if exc.err_code in WRONG_LAST_SEQUENCE:
            return False  # already welcomed, or already talking
        raise
    return not ack.duplicate
