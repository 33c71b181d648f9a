"""Scripted streaming replies for the guard tests: the events an orchestrator would publish."""

from __future__ import annotations

from guards.tenancy import TenantRules
from shared.events import MessageCompleted, MessageCreated, MessageDelta, Source
from shared.tenants import GuardPolicy, Tenant, TenantDirectory

SOURCES = [
    Source(
        id="returns-1",
        title="Returns policy",
        snippet="Unused items can be returned within 30 days of delivery for a full refund. "
        "Sale items cannot be returned. Refunds reach the original payment method within 5 business days.",
    ),
    Source(
        id="shipping-1",
        title="Shipping",
        snippet="Standard shipping is free on orders over $50 and takes 3-5 business days. Express shipping costs $15.",
    ),
]
GROUNDED = "You can return unused items within 30 days of delivery. Express shipping costs $15."
UNGROUNDED_SENTENCE = "Sale items can be returned too."
UNGROUNDED = f"You can return unused items within 30 days of delivery. {UNGROUNDED_SENTENCE} Anything else?"


def rules(action: str = "flag") -> TenantRules:
    policy = GuardPolicy(action=action)  # type: ignore[arg-type]
    return TenantRules(TenantDirectory(tenants=[Tenant(id="acme", name="Acme", widget_key="k", guard=policy)]))


def stream(conversation_id: str, message_id: str, text: str, chunk: int = 7) -> list[MessageDelta]:
    return [
        MessageDelta(tenant_id="acme", conversation_id=conversation_id, message_id=message_id, offset=i,
                     text=text[i : i + chunk])
        for i in range(0, len(text), chunk)
    ]  # fmt: skip


def created(
    conversation_id: str, message_id: str, sources: list[Source] = SOURCES, question: str | None = None
) -> MessageCreated:
    return MessageCreated(
        tenant_id="acme",
        conversation_id=conversation_id,
        message_id=message_id,
        role="assistant",
        sources=sources,
        question=question,
    )


def completed(conversation_id: str, message_id: str, text: str, sources: list[Source] = SOURCES) -> MessageCompleted:
    return MessageCompleted(
        tenant_id="acme",
        conversation_id=conversation_id,
        message_id=message_id,
        role="assistant",
        text=text,
        sources=sources,
    )
