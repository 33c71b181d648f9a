"""Turn webhook body, backoff and planning (the signature is shared: tests/shared/test_webhooks.py)."""

from __future__ import annotations

import json

from orchestrator.workers.planning import plan_tasks
from orchestrator.workers.webhooks import WebhookPolicy, webhook_body
from shared.events import MessageCompleted
from shared.tasks import PostReplyTask, TaskKind, task_subject
from shared.tenants import Tenant, TenantDirectory
from tests.shared.webhook_fixtures import HOOK_SECRET


def test_backoff_doubles_and_is_capped() -> None:
    policy = WebhookPolicy(base_delay_s=1.0, max_delay_s=5.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_tasks_follow_a_completed_reply() -> None:
    event = MessageCompleted(tenant_id="acme", conversation_id="c1", message_id="a1", role="assistant", text="x")
    hooked = TenantDirectory(
        tenants=[
            Tenant(id="acme", name="A", widget_key="k1", webhook_url="http://h/", webhook_secret=HOOK_SECRET),
            Tenant(id="globex", name="G", widget_key="k2", webhook_url="http://h/"),  # no secret: no webhook
        ]
    )
    tasks = plan_tasks(event.model_dump(mode="json"), 42, hooked)
    assert [t.kind for t in tasks] == [TaskKind.SUMMARIZE, TaskKind.WEBHOOK]
    assert tasks[1].subject == task_subject(TaskKind.WEBHOOK, "acme", "c1") == "sb.task.webhook.acme.c1"
    assert tasks[1].msg_id == f"{event.id}:webhook"
    other = event.model_copy(update={"tenant_id": "globex"})
    assert [t.kind for t in plan_tasks(other.model_dump(mode="json"), 43, hooked)] == [TaskKind.SUMMARIZE]


def test_body_carries_the_turn() -> None:
    event = MessageCompleted(tenant_id="acme", conversation_id="c1", message_id="a1", role="assistant", text="Hi")
    task = PostReplyTask(
        kind=TaskKind.WEBHOOK, tenant_id="acme", conversation_id="c1", event_id=event.id, seq=7,
        event=event.model_dump(mode="json"),
    )  # fmt: skip
    body = json.loads(webhook_body(task))
    assert body["id"] == event.id
    assert body["type"] == "turn.completed"
    assert body["seq"] == 7
    assert body["message"]["text"] == "Hi"
