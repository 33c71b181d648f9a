"""One AG-UI run: publish the visitor's newest message, relay the conversation until the reply ends.

While a handoff is live the run stays open for what the person says (as the ChatKit stream
does), until the handoff ends or nothing happens for ``live_idle_s``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from ag_ui.core import (
    BaseEvent,
    RunAgentInput,
    RunErrorEvent,
    RunFinishedEvent,
    RunStartedEvent,
    StateSnapshotEvent,
    UserMessage,
)
from ag_ui.encoder import EventEncoder

from gateway import commands
from gateway.agui.translate import RunTranslator, state_of
from gateway.chatkit.access import Caller
from gateway.chatkit.follow import Follow, handoff_event
from gateway.chatkit.watch import ReplyWatch
from shared.bus import emit
from shared.events import HandoffAccepted, HandoffQueued
from shared.events import UserMessage as UserMessageEvent
from shared.widget_protocol import ID_PATTERN, MAX_TEXT_CHARS, MessageSend

log = logging.getLogger(__name__)
ENCODER = EventEncoder()
CLIENT_ID = re.compile(ID_PATTERN)


class BadRun(ValueError):
    """A RunAgentInput we cannot run (answered with 400 / an error frame)."""


@dataclass
class Timing:
    reply_wait_s: float = 60.0
    live_idle_s: float = 300.0


def newest_user_text(run: RunAgentInput) -> tuple[str, str] | None:
    """(message id, text) of the last user message of the input, if it has one."""
    for message in reversed(run.messages):
        if isinstance(message, UserMessage):
            content = message.content
            text = content if isinstance(content, str) else "\n".join(getattr(p, "text", "") or "" for p in content)
            return message.id, text.strip()
    return None


def check(run: RunAgentInput) -> None:
    newest = newest_user_text(run)
    if newest is None:
        return
    if not newest[1]:
        raise BadRun("Expected the newest user message to have text, got none")
    if len(newest[1]) > MAX_TEXT_CHARS:
        raise BadRun(f"Expected at most {MAX_TEXT_CHARS} characters, got {len(newest[1])}")


def user_event(caller: Caller, run: RunAgentInput) -> UserMessageEvent | None:
    """The newest user message as our event (its AG-UI id is the client id: a resent run is deduplicated)."""
    newest = newest_user_text(run)
    if newest is None:
        return None
    message_id, text = newest
    visitor = caller.visitor(run.thread_id)
    client_id = message_id if CLIENT_ID.match(message_id) else commands.derived_id(visitor, message_id)[:32]
    return commands.user_message(visitor, MessageSend(client_id=client_id, text=text))


async def publish(caller: Caller, event: UserMessageEvent | None) -> int | None:
    return None if event is None else await emit(caller.gateway.broker, event)


async def run_events(caller: Caller, run: RunAgentInput, timing: Timing) -> AsyncIterator[BaseEvent]:
    """RUN_STARTED, STATE_SNAPSHOT, the relayed conversation, RUN_FINISHED (or RUN_ERROR)."""
    yield RunStartedEvent(thread_id=run.thread_id, run_id=run.run_id)
    visitor = caller.visitor(run.thread_id)
    translator = RunTranslator(run.thread_id)
    try:
        async with Follow(caller.gateway, visitor) as follow:
            said = user_event(caller, run)
            seq = await publish(caller, said)
            message_id = said.message_id if said else None
            # Read after publishing: a handoff event stored before the message is in the state,
            # one stored after it comes through the follow.
            latest = await handoff_event(caller.gateway.js, visitor)
            yield StateSnapshotEvent(snapshot=state_of(run.thread_id, latest))
            await follow.start(seq)
            watch = ReplyWatch(message_id)
            watch.live = isinstance(latest, HandoffQueued | HandoffAccepted)
            while not watch.finished:
                followed = await follow.next(timing.live_idle_s if watch.live else timing.reply_wait_s)
                if followed is None:
                    break
                for event in translator.translate(followed.event):
                    yield event
                watch.see(followed.event)
    except Exception as exc:  # the client sees why the run stopped
        log.warning("AG-UI run %s of %s failed: %r", run.run_id, run.thread_id, exc)
        for event in translator.close_open():
            yield event
        yield RunErrorEvent(message=f"The run stopped: {type(exc).__name__}; run it again", code="unavailable")
        return
    for event in translator.close_open():
        yield event
    yield RunFinishedEvent(thread_id=run.thread_id, run_id=run.run_id)


def encode(event: BaseEvent) -> str:
    return ENCODER.encode(event)
