"""The ChatKit server: openai-chatkit's ChatKitServer answering from the bus instead of a model.

``respond`` publishes nothing itself (the store published the visitor's message) and relays
the conversation from that message on: the reply streamed as assistant deltas, then done. While
a handoff is live (queued or a person joined) the response stays open for what the person says
and does, until the handoff ends or nothing happens for ``live_idle_s``; afterwards a host page
follows the side channel (GET /chatkit/updates) and calls ChatKit's ``fetchUpdates()``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from chatkit.actions import Action
from chatkit.server import ChatKitServer
from chatkit.store import NotFoundError
from chatkit.types import (
    FeedbackKind,
    ThreadItem,
    ThreadItemDoneEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    WidgetItem,
)

from gateway import commands
from gateway.chatkit.access import Caller
from gateway.chatkit.follow import handoff_live
from gateway.chatkit.items import user_item
from gateway.chatkit.store import BusStore, publish_user_message, text_of
from gateway.chatkit.stream import Translator
from gateway.chatkit.watch import ReplyWatch
from gateway.chatkit.widgets import SAY, action_value, component_id_of
from shared.bus import emit
from shared.widget_protocol import FeedbackSend, WidgetActionSend


class SwitchboardChatKit(ChatKitServer[Caller]):
    def __init__(self, reply_wait_s: float = 60.0, live_idle_s: float = 300.0) -> None:
        super().__init__(BusStore())
        self.reply_wait_s = reply_wait_s
        self.live_idle_s = live_idle_s

    async def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: Caller
    ) -> AsyncIterator[ThreadStreamEvent]:
        after = context.published.pop(thread.id, None)
        message_id = input_user_message.id if input_user_message else None
        if after is None:
            if input_user_message is None:
                return  # client tool output / structured input: nothing of ours answers those
            # threads.retry_after_item: the visitor asks the same again (our history keeps the first answer)
            message_id = uuid.uuid4().hex
            await publish_user_message(context, thread.id, message_id, text_of(input_user_message))
            after = context.published.pop(thread.id, None)
        async for event in self._relay(thread.id, context, after, ReplyWatch(message_id), skip={message_id or ""}):
            yield event

    async def action(
        self, thread: ThreadMetadata, action: Action[str, Any], sender: WidgetItem | None, context: Caller
    ) -> AsyncIterator[ThreadStreamEvent]:
        visitor = context.visitor(thread.id)
        if action.type == SAY:
            text = str((action.payload or {}).get("text", "")) if isinstance(action.payload, dict) else ""
            event = await publish_user_message(context, thread.id, uuid.uuid4().hex, text)
            seq = context.published.pop(thread.id, None)
            yield ThreadItemDoneEvent(item=user_item(thread.id, event))
            watch = ReplyWatch(event.message_id)
            skip = {event.message_id}
        else:
            kind = sender.widget.key if sender is not None else None
            component_id, value = action_value(kind, action.payload)
            if component_id is None and sender is not None:
                component_id = component_id_of(sender.id)
            frame = WidgetActionSend(
                action_id=uuid.uuid4().hex, name=action.type, value=value, component_id=component_id
            )
            seq = await emit(context.gateway.broker, commands.widget_action(visitor, frame))
            watch, skip = ReplyWatch(None), set()
        async for out in self._relay(thread.id, context, seq, watch, skip):
            yield out

    async def add_feedback(self, thread_id: str, item_ids: list[str], feedback: FeedbackKind, context: Caller) -> None:
        visitor = await context.require(thread_id)
        rating = "up" if feedback == "positive" else "down"
        for item_id in item_ids:
            if item_id.startswith(("note_", "cmp_")):
                continue  # a notice or a component: our feedback rates messages
            event = commands.feedback(visitor, FeedbackSend(message_id=item_id, rating=rating))
            await emit(context.gateway.broker, event)

    async def _relay(
        self, thread_id: str, context: Caller, after: int | None, watch: ReplyWatch, skip: set[str]
    ) -> AsyncIterator[ThreadStreamEvent]:
        visitor = context.visitor(thread_id)

        async def load_item(item_id: str) -> ThreadItem | None:
            try:
                return await self.store.load_item(thread_id, item_id, context)
            except NotFoundError:
                return None

        translator = Translator(thread_id, load_item, skip)
        async with context.follow(thread_id) as follow:
            await follow.start(after)
            watch.live = await handoff_live(context.gateway.js, visitor)
            while not watch.finished:
                followed = await follow.next(self.live_idle_s if watch.live else self.reply_wait_s)
                if followed is None:
                    return  # nothing more within the wait: the side channel takes over
                for event in await translator.translate(followed.event):
                    yield event
                watch.see(followed.event)
