"""Proactive nudges: the tenant's rules for speaking first, run beside each open widget socket.

The gateway holds the socket, so it knows what a request/response kit cannot: which page the
visitor is on (``page`` on the socket URL, sent by the widget) and when they last said
something. A rule fires once per page view (``on_page``) or once per silence after the
visitor's last frame (``idle``); each nudge is an assistant ``message.completed`` with
``generated`` false (the business's words: nothing for the guard to check), with a derived id
so two tabs or a retry store it once. Not while a human has (or is awaited for) the
conversation, and at most ``per_visitor_per_hour`` per visitor, counted in the shared limits
bucket across every gateway replica.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from nats.js.errors import BucketNotFoundError, KeyNotFoundError

from gateway.commands import Visitor
from gateway.limits import Limited
from gateway.welcome import business_message
from shared.events import MessageCompleted
from shared.subjects import CONV_STREAM, CONVERSATION_STATE_BUCKET, mode_key
from shared.tenants import NudgeRule, Tenant

if TYPE_CHECKING:
    from gateway.context import Gateway

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("9b0f5c1e-2d3a-4c7b-8e6f-1a2b3c4d5e6f")
# Modes in which a human has the conversation, or the visitor waits for one: no bot nudges.
HUMAN_MODES = frozenset({"assigned", "queued"})
Outcome = Literal["sent", "duplicate", "limited", "human", "failed"]


class Activity:
    """What the visitor did on this socket: a count of stored frames, and a wake-up on each."""

    def __init__(self) -> None:
        self.frames = 0
        self.changed = asyncio.Event()

    def touch(self) -> None:
        self.frames += 1
        self.changed.set()

    async def quiet_for(self, seconds: float) -> bool:
        """Wait ``seconds`` of silence; False (at once) if the visitor sends a frame meanwhile."""
        self.changed.clear()
        try:
            async with asyncio.timeout(seconds):
                await self.changed.wait()
        except TimeoutError:
            return True
        return False

    async def next_frame(self) -> None:
        self.changed.clear()
        await self.changed.wait()


def nudge_event(tenant: Tenant, visitor: Visitor, rule: NudgeRule, occasion: str) -> MessageCompleted:
    """The nudge of ``rule`` for one ``occasion`` (a page view, a silence): same occasion, same ids."""
    derived = uuid.uuid5(_NAMESPACE, f"{visitor.tenant_id}:{visitor.conversation_id}:{occasion}").hex
    return business_message(tenant, visitor, f"nudge-{derived}", rule.text, rule.starters)


async def run_nudges(
    gateway: Gateway,
    tenant: Tenant,
    visitor: Visitor,
    page: str,
    view_id: str,
    activity: Activity,
    outcome: Callable[[NudgeRule, Outcome], None] = lambda rule, what: None,
) -> None:
    """Every rule of ``tenant`` for this socket, until it closes (the caller cancels)."""
    rules = [rule for rule in tenant.nudges.rules if rule.when == "idle" or page.startswith(rule.path)]
    if not rules or tenant.nudges.per_visitor_per_hour == 0:
        return
    await asyncio.gather(
        *(
            _follow(gateway, tenant, visitor, index, rule, view_id, activity, outcome)
            for index, rule in enumerate(rules)
        )
    )


async def _follow(
    gateway: Gateway,
    tenant: Tenant,
    visitor: Visitor,
    index: int,
    rule: NudgeRule,
    view_id: str,
    activity: Activity,
    outcome: Callable[[NudgeRule, Outcome], None],
) -> None:
    if rule.when == "on_page":
        # Once per page view, and only to a visitor who has not started talking on it.
        if activity.frames == 0 and await activity.quiet_for(rule.after_s):
            outcome(rule, await send_nudge(gateway, tenant, visitor, rule, f"page:{view_id}:{index}"))
        return
    while True:  # idle: once per silence after the visitor's last frame
        if activity.frames == 0:
            await activity.next_frame()
        said = activity.frames
        if await activity.quiet_for(rule.after_s):
            outcome(rule, await send_nudge(gateway, tenant, visitor, rule, f"idle:{view_id}:{index}:{said}"))
            await activity.next_frame()


async def send_nudge(gateway: Gateway, tenant: Tenant, visitor: Visitor, rule: NudgeRule, occasion: str) -> Outcome:
    """Publish the nudge unless a human has the conversation or the visitor had enough of them."""
    try:
        if await _human_has_it(gateway, visitor):
            return "human"
        try:
            await gateway.limits.take(
                "nudge_visitor",
                f"{visitor.tenant_id}\x00{visitor.visitor_id}",
                tenant.nudges.per_visitor_per_hour,
                3600,
            )
        except Limited:
            return "limited"
        event = nudge_event(tenant, visitor, rule, occasion)
        ack = await gateway.js.publish(
            event.subject, event.model_dump_json().encode(), stream=CONV_STREAM, headers={"Nats-Msg-Id": event.id}
        )
    except Exception as exc:  # the conversation works without it
        log.warning("could not send a nudge in %s: %r", visitor.conversation_id, exc)
        return "failed"
    return "duplicate" if ack.duplicate else "sent"


async def _human_has_it(gateway: Gateway, visitor: Visitor) -> bool:
    try:
        kv = await gateway.js.key_value(CONVERSATION_STATE_BUCKET)
        entry = await kv.get(mode_key(visitor.tenant_id, visitor.conversation_id))
    except (BucketNotFoundError, KeyNotFoundError):  # no handoff ever: the AI has it
        return False
    return (entry.value or b"").decode() in HUMAN_MODES
