"""Which tasks follow a completed reply."""

from __future__ import annotations

from typing import Any

from shared.tasks import PostReplyTask, TaskKind
from shared.tenants import TenantDirectory


def wants_webhook(directory: TenantDirectory, tenant_id: str) -> bool:
    tenant = directory.by_id(tenant_id)
    return tenant is not None and bool(tenant.webhook_url and tenant.webhook_secret)


def plan_tasks(event: dict[str, Any], seq: int, directory: TenantDirectory) -> list[PostReplyTask]:
    """A digest for every completed reply; a webhook when the tenant configured one (URL and secret)."""
    if event.get("type") != "message.completed":
        return []
    kinds = [TaskKind.SUMMARIZE]
    if wants_webhook(directory, event["tenant_id"]):
        kinds.append(TaskKind.WEBHOOK)
    return [
        PostReplyTask(
            kind=kind, tenant_id=event["tenant_id"], conversation_id=event["conversation_id"],
            event_id=event["id"], seq=seq, event=event,
        )
        for kind in kinds
    ]  # fmt: skip
