"""What happens to a widget action: checked, dispatched to the tenant's handler, answered in the conversation.

Actions are turns like visitor messages: the orchestrator answers both in conversation order
under the conversation's lock (orchestrator.turns), so a message sent after clicking "Add to
cart" is answered after the cart's reply, and each action is handled once (its sequence is
marked answered; a rerun after a crash has the same ids, so JetStream drops repeated events,
and the handler is called with the same ``webhook-id`` to de-duplicate on).

An action is answered with a ``component.updated`` for the component used (always: it ends
the widget's "pending" state) and, if the handler says something, an assistant reply.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import httpx
from pydantic import ValidationError

from orchestrator.builtin import HANDLERS
from orchestrator.modes import agent_has_it
from orchestrator.prefetch import assistant_typing
from shared.actions import (
    HANDOFF_ACTION,
    ActionRequest,
    ActionResult,
    ComponentUpdate,
    ReplyPart,
    offered_actions,
    validate_form,
)
from shared.events import (
    Author,
    ComponentUpdated,
    HandoffRequested,
    MessageCompleted,
    MessageCreated,
    WidgetAction,
)
from shared.events.components import Form
from shared.tenants import Handler, Tenant
from shared.webhooks.calls import call_signed

if TYPE_CHECKING:
    from orchestrator.turns import Orchestrator

log = logging.getLogger(__name__)

ActionOutcome = Literal["acted", "refused", "failed", "skipped"]
NAMESPACE = uuid.UUID("0c6f3a52-1f0e-4d84-b3a1-5e2a9f7d6c10")
FAILED = "Sorry, that didn't work just now. Please try again in a moment, or ask for a person."
NO_HANDLER = "Sorry, that can't be done here."
NOT_OFFERED = "That option isn't available any more."
ACTION_EVENT = "widget.action"


@dataclass(frozen=True)
class ActionIds:
    update: str
    created: str
    completed: str
    message_id: str
    handoff: str


def action_ids(action: WidgetAction) -> ActionIds:
    def derived(kind: str) -> str:
        return uuid.uuid5(NAMESPACE, f"{kind}:{action.tenant_id}:{action.conversation_id}:{action.id}").hex

    return ActionIds(
        update=derived("update"),
        created=derived("created"),
        completed=derived("completed"),
        message_id=derived("reply"),
        handoff=derived("handoff"),
    )


class HandlerFailed(Exception):
    """The tenant's handler gave no usable answer (after its retries); ``str`` says why."""


async def call_handler(
    handler: Handler | None, request: ActionRequest, tenant: Tenant, http: httpx.AsyncClient
) -> ActionResult:
    """The handler's answer to ``request``; HandlerFailed if it has none."""
    if handler is None:
        raise HandlerFailed("the tenant has no action handler")
    if handler.builtin is not None:
        builtin = HANDLERS.get(handler.builtin)
        if builtin is None:
            raise HandlerFailed(f"no built-in handler named {handler.builtin!r}")
        return builtin(request, tenant)
    if handler.url is None or handler.secret is None:  # Handler's own check makes this unreachable
        raise HandlerFailed("the handler has neither a built-in name nor a signed endpoint")
    answer = await call_signed(
        http,
        url=handler.url,
        secret=handler.secret,
        msg_id=request.action_id,
        webhook_type=ACTION_EVENT,
        body=request.model_dump_json().encode(),
        allowed_hosts=tenant.webhook_allowed_hosts,
        timeout=handler.timeout_s,
        retries=handler.retries,
    )
    if not answer.ok or answer.data is None:
        raise HandlerFailed(f"{answer.error} ({answer.attempts} attempt(s))")
    try:
        return ActionResult.model_validate(answer.data)
    except ValidationError as e:
        raise HandlerFailed(
            f"the answer is not an ActionResult: {e.error_count()} error(s), first: {e.errors()[0]['msg']}"
        ) from None


async def act(orch: Orchestrator, tenant: Tenant, action: WidgetAction, seq: int | None) -> ActionOutcome:
    """Handle one widget action and publish its answer (see the module docstring)."""
    if await agent_has_it(orch.gate, action, seq):
        return "skipped"  # the agent console shows it; the agent answers
    ids = action_ids(action)
    if action.name == HANDOFF_ACTION:
        reason = action.value if isinstance(action.value, str) else ""
        await orch.publish(
            HandoffRequested(
                id=ids.handoff,
                tenant_id=action.tenant_id,
                conversation_id=action.conversation_id,
                trigger="visitor",
                reason=reason[:500],
            )
        )
        await _update(orch, action, ids, ComponentUpdate(disabled=True))
        return "acted"
    component = None
    if action.component_id:
        component = await orch.gate.component(tenant.id, action.conversation_id, action.component_id, seq)
    if component is not None and action.name not in offered_actions(component):
        log.warning("action %r is not offered by component %s", action.name, action.component_id)
        await _update(orch, action, ids, ComponentUpdate(status=NOT_OFFERED))
        return "refused"
    value = action.value
    if isinstance(component, Form):
        clean, errors = validate_form(component, value)
        if errors:
            await _update(orch, action, ids, None, errors)
            return "refused"
        value = clean
    request = ActionRequest(
        tenant_id=tenant.id,
        conversation_id=action.conversation_id,
        action_id=action.id,
        name=action.name,
        value=value,
        component_id=action.component_id,
        component=component,
    )
    await orch.publish(assistant_typing(action, tenant, on=True))
    try:
        result = await call_handler(tenant.actions, request, tenant, orch.http_client())
    except HandlerFailed as e:
        log.warning("action %r in %s/%s failed: %s", action.name, tenant.id, action.conversation_id, e)
        result = ActionResult(update=ComponentUpdate(status=NO_HANDLER if tenant.actions is None else FAILED))
    finally:
        await orch.publish(assistant_typing(action, tenant, on=False))
    errors = result.errors
    if errors and not isinstance(component, Form):  # only a form has fields to show them under
        extra = " ".join(errors.values())
        status = f"{result.update.status} {extra}" if result.update and result.update.status else extra
        result.update = (result.update or ComponentUpdate()).model_copy(update={"status": status})
        errors = {}
    await _update(orch, action, ids, result.update, errors)
    if result.reply is not None and (result.reply.text or result.reply.components):
        await _reply(orch, tenant, action, ids, result.reply)
    return "refused" if errors else "acted"


async def _update(
    orch: Orchestrator,
    action: WidgetAction,
    ids: ActionIds,
    update: ComponentUpdate | None,
    errors: dict[str, str] | None = None,
) -> None:
    """The component.updated answering the action: always sent, it ends the widget's "pending" state."""
    if not action.component_id:
        return
    update = update or ComponentUpdate()
    await orch.publish(
        ComponentUpdated(
            id=ids.update,
            tenant_id=action.tenant_id,
            conversation_id=action.conversation_id,
            component_id=action.component_id,
            component=update.component.model_copy(update={"id": action.component_id}) if update.component else None,
            disabled=update.disabled,
            status=update.status,
            action_id=action.action_id,
            errors=errors or None,
        )
    )


async def _reply(orch: Orchestrator, tenant: Tenant, action: WidgetAction, ids: ActionIds, reply: ReplyPart) -> None:
    author = Author(name=tenant.assistant_name)
    common = {"tenant_id": action.tenant_id, "conversation_id": action.conversation_id, "message_id": ids.message_id}
    # The handler's words, not the model's: nothing for the guards to ground.
    await orch.publish(MessageCreated(id=ids.created, role="assistant", author=author, generated=False, **common))
    await orch.publish(
        MessageCompleted(
            id=ids.completed,
            role="assistant",
            author=author,
            text=reply.text,
            components=reply.components,
            generated=False,
            **common,
        )
    )
