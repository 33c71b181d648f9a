"""Built-in action handlers a tenant can name instead of an endpoint (``actions: {builtin: store}``).

Each one answers widget actions (``handle``) and, for the offline answerer, recognises the
requests its components serve (``intent``): "browse products" gets the store's carousel
without any model. The demo tenants use them; a business replaces them with its endpoint.
"""

from __future__ import annotations

from collections.abc import Callable

from orchestrator.builtin import appointments, store
from shared.actions import ActionRequest, ActionResult, ReplyPart, ToolRequest
from shared.tenants import Tenant

Intent = Callable[[str, Tenant], ReplyPart | None]
Handle = Callable[[ActionRequest, Tenant], ActionResult]

INTENTS: dict[str, Intent] = {"store": store.intent, "appointments": appointments.intent}
HANDLERS: dict[str, Handle] = {"store": store.handle, "appointments": appointments.handle}
# Built-in tools a model may call (a tenant's ``tools`` entry with ``handler: {builtin: store}``).
TOOL_HANDLERS: dict[str, Callable[[ToolRequest, Tenant], ActionResult]] = {"store": store.tool}


def builtin_name(tenant: Tenant) -> str | None:
    return tenant.actions.builtin if tenant.actions is not None else None


def intent_reply(text: str, tenant: Tenant) -> ReplyPart | None:
    """The tenant's built-in handler's answer to ``text`` when it is one of its requests, else None."""
    intent = INTENTS.get(builtin_name(tenant) or "")
    return intent(text, tenant) if intent is not None else None


__all__ = ("HANDLERS", "INTENTS", "TOOL_HANDLERS", "builtin_name", "intent_reply")
