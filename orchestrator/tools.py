"""Running the tools a model calls: arguments checked, handlers called (in parallel), results for the model.

A tenant's tool (shared.tenants.Tool) is a built-in handler or the business's endpoint, called
with a signed ``ToolRequest`` (shared.actions) with the handler's timeout and retries. The
answer is an ``ActionResult``: its ``reply.text`` goes back to the model, its components are
shown to the visitor in the reply. Whatever goes wrong (unknown tool, arguments that do not
match the schema, an endpoint down or slow) becomes an error result the model is told to
admit, never an exception that leaves the reply hanging.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field

import httpx
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from orchestrator.builtin import TOOL_HANDLERS
from orchestrator.providers.base import ChatMessage, ToolCall
from shared.actions import ActionResult, ToolRequest, describe_component
from shared.events.components import Component
from shared.tenants import Tenant, Tool
from shared.webhooks.calls import call_signed

log = logging.getLogger(__name__)

TOOL_EVENT = "tool.call"
# Rounds of tool calls in one reply before the model must answer in words.
MAX_TOOL_ROUNDS = 3
TOOL_FAILED = (
    "Sorry, I couldn't get that information just now: one of our systems did not answer. "
    "Please try again in a moment, or ask for a person."
)


@dataclass
class ToolOutcome:
    call: ToolCall
    ok: bool
    text: str = ""
    components: list[Component] = field(default_factory=list)
    error: str | None = None

    def message(self) -> ChatMessage:
        """The tool result as the model reads it."""
        if self.ok:
            body = {
                "ok": True,
                "result": self.text,
                "shown_to_visitor": [describe_component(c) for c in self.components],
            }
        else:
            body = {
                "ok": False,
                "error": self.error,
                "instruction": "Tell the visitor plainly that this did not work; do not guess the result.",
            }
        return {"role": "tool", "tool_call_id": self.call.id, "content": json.dumps(body, ensure_ascii=False)}


def calls_message(calls: list[ToolCall], text: str) -> ChatMessage:
    """The assistant message that made ``calls`` (the model needs it before their results)."""
    return {
        "role": "assistant",
        "content": text,
        "tool_calls": [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments or "{}"}}
            for c in calls
        ],
    }


async def _call(tool: Tool, request: ToolRequest, tenant: Tenant, http: httpx.AsyncClient) -> ActionResult | str:
    """The handler's result, or why there is none."""
    handler = tool.handler
    if handler.builtin is not None:
        builtin = TOOL_HANDLERS.get(handler.builtin)
        if builtin is None:
            return f"no built-in tool handler named {handler.builtin!r}"
        return builtin(request, tenant)
    if handler.url is None or handler.secret is None:
        return "the tool has no handler"
    answer = await call_signed(
        http,
        url=handler.url,
        secret=handler.secret,
        msg_id=f"{request.conversation_id}:{request.call_id}",
        webhook_type=TOOL_EVENT,
        body=request.model_dump_json().encode(),
        allowed_hosts=tenant.webhook_allowed_hosts,
        timeout=handler.timeout_s,
        retries=handler.retries,
    )
    if not answer.ok or answer.data is None:
        return f"{answer.error} ({answer.attempts} attempt(s))"
    try:
        return ActionResult.model_validate(answer.data)
    except ValidationError as e:
        return f"the tool's answer is not an ActionResult ({e.error_count()} error(s))"


async def run_tool(call: ToolCall, tenant: Tenant, conversation_id: str, http: httpx.AsyncClient) -> ToolOutcome:
    tool = next((t for t in tenant.tools if t.name == call.name), None)
    if tool is None:
        return ToolOutcome(call, ok=False, error=f"there is no tool named {call.name!r}")
    try:
        arguments = json.loads(call.arguments or "{}")
    except ValueError as e:
        return ToolOutcome(call, ok=False, error=f"the arguments are not JSON: {e}")
    problems = sorted(Draft202012Validator(tool.parameters).iter_errors(arguments), key=lambda e: e.path)
    if problems or not isinstance(arguments, dict):
        what = problems[0].message if problems else "expected an object"
        return ToolOutcome(call, ok=False, error=f"the arguments do not match the tool's parameters: {what}")
    request = ToolRequest(
        tenant_id=tenant.id, conversation_id=conversation_id, call_id=call.id, name=call.name, arguments=arguments
    )
    result = await _call(tool, request, tenant, http)
    if isinstance(result, str):
        log.warning("tool %s failed in %s/%s: %s", call.name, tenant.id, conversation_id, result)
        return ToolOutcome(call, ok=False, error=result)
    if result.errors:
        return ToolOutcome(call, ok=False, error="; ".join(f"{k}: {v}" for k, v in result.errors.items()))
    reply = result.reply
    return ToolOutcome(
        call, ok=True, text=reply.text if reply else "", components=list(reply.components) if reply else []
    )


async def run_tools(
    calls: list[ToolCall], tenant: Tenant, conversation_id: str, http: httpx.AsyncClient
) -> list[ToolOutcome]:
    """Every call at once (a model's parallel calls), results in the calls' order."""
    return list(await asyncio.gather(*(run_tool(c, tenant, conversation_id, http) for c in calls)))
