"""Live translation: our bus events, in order, as ChatKit ThreadStreamEvents.

Durable events go through the same fold as history (gateway.chatkit.items), so a live item and
the item ``items.list`` returns later are the same. Ephemeral events are translated here:
``message.delta`` becomes an assistant text delta, agent/assistant ``typing`` a progress update.
The state kept is the response's own progress (which items the client has, the text streamed so
far), dropped with the response.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ProgressUpdateEvent,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
)

from gateway.chatkit.items import Thread, apply_flags, assistant_item
from gateway.chatkit.widgets import item_id
from shared.events import ComponentUpdated, Event, MessageCreated, MessageDelta, MessageFlagged, Typing

ItemLoader = Callable[[str], Awaitable[ThreadItem | None]]


class Translator:
    def __init__(self, thread_id: str, load_item: ItemLoader, skip: set[str] | None = None) -> None:
        self.thread = Thread(thread_id)
        self.load_item = load_item
        self.skip = skip or set()  # items the client already has (the user message it just sent)
        self.open: set[str] = set()  # added, streaming, not done
        self.done: set[str] = set()
        self.streamed: dict[str, str] = {}

    async def translate(self, event: Event) -> list[ThreadStreamEvent]:
        match event:
            case MessageDelta():
                return self._delta(event)
            case Typing():
                if not event.on:
                    return []
                who = event.name or ("The agent" if event.who == "agent" else "The assistant")
                return [ProgressUpdateEvent(text=f"{who} is typing…")]
            case MessageCreated():
                self.thread.apply(event)
                return self._open(event.message_id, event)
            case ComponentUpdated() if event.component_id not in self.thread.shown and event.component is None:
                # Shown before this response: the stored history has it, with this update applied.
                return await self._from_history(item_id(event.component_id))
        out: list[ThreadStreamEvent] = []
        for item in self.thread.apply(event):
            out += self._finish(item)
        if isinstance(event, MessageFlagged) and event.action != "flag" and self._earlier(event.message_id):
            out += await self._from_history(event.message_id)  # a reply sent before this response
        if isinstance(event, MessageFlagged) and event.action != "flag" and event.message_id in self.open:
            # Still streaming: the text so far, edited, replaces the content part; deltas append to it.
            text = apply_flags(self.streamed.get(event.message_id, ""), self.thread.flags[event.message_id])
            part = AssistantMessageContentPartAdded(content_index=0, content=AssistantMessageContent(text=text))
            out.append(ThreadItemUpdatedEvent(item_id=event.message_id, update=part))
        return out

    def _earlier(self, message_id: str) -> bool:
        return message_id not in self.thread.replies and message_id not in self.open and message_id not in self.done

    async def _from_history(self, item: str) -> list[ThreadStreamEvent]:
        """An item the client already has from before this response, as the stored history has it now."""
        loaded = await self.load_item(item)
        if loaded is None:
            return []
        self.done.add(loaded.id)  # the client has it: replaced, not added
        return self._finish(loaded)

    def _open(self, message_id: str, event: MessageCreated | MessageDelta) -> list[ThreadStreamEvent]:
        if message_id in self.open or message_id in self.done:
            return []
        self.open.add(message_id)
        item = assistant_item(self.thread.thread_id, message_id, event.ts, "")
        return [ThreadItemAddedEvent(item=item)]

    def _delta(self, event: MessageDelta) -> list[ThreadStreamEvent]:
        if event.message_id in self.done:
            return []
        out = self._open(event.message_id, event)
        sent = self.streamed.get(event.message_id, "")
        # Deltas carry offsets; a replay snapshot (offset 0, all text so far) overlaps what was sent.
        new = event.text[len(sent) - event.offset :] if event.offset <= len(sent) else event.text
        if not new:
            return out
        self.streamed[event.message_id] = sent + new
        update = AssistantMessageContentPartTextDelta(content_index=0, delta=new)
        return [*out, ThreadItemUpdatedEvent(item_id=event.message_id, update=update)]

    def _finish(self, item: ThreadItem) -> list[ThreadStreamEvent]:
        if item.id in self.skip:
            return []
        if isinstance(item, AssistantMessageItem) and not item.content[0].text and item.id not in self.done:
            return []  # an empty placeholder: the delta or the completion opens it
        self.open.discard(item.id)
        if item.id in self.done:
            return [ThreadItemReplacedEvent(item=item)]
        self.done.add(item.id)
        return [ThreadItemDoneEvent(item=item)]
