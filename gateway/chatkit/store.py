"""ChatKit's Store over our bus and database: threads are conversations, items are folded from events.

Nothing is stored here. Reading folds the conversation's SB_CONV events (gateway.chatkit.items);
listing threads asks the recorder's database (plus the caller's own conversation, which it may
not have recorded yet). The one write is the visitor's new message, published as
``message.user`` exactly as the widget socket does; every other item ChatKit asks to save is
already on the bus. History is append-only: deletes and title edits are refused or ignored.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from chatkit.store import NotFoundError, Store, StoreItemType
from chatkit.types import (
    Attachment,
    Page,
    ThreadItem,
    ThreadMetadata,
    UserMessageItem,
    UserMessageTagContent,
    UserMessageTextContent,
)

from gateway import commands
from gateway.chatkit import records
from gateway.chatkit.access import Caller
from gateway.chatkit.follow import Follow, stored
from gateway.chatkit.items import Thread
from shared.bus import emit
from shared.events import UserMessage
from shared.widget_protocol import MessageSend


class Unsupported(Exception):
    """A ChatKit request our history cannot serve (attachments, deletes)."""


def text_of(item: UserMessageItem) -> str:
    parts = [c.text for c in item.content if isinstance(c, UserMessageTextContent | UserMessageTagContent)]
    return "\n".join(p for p in parts if p)


async def fold(caller: Caller, thread_id: str) -> Thread:
    """The conversation's items from the stream, or from the recorder when the stream no longer has it."""
    thread = Thread(thread_id)
    async for _, event in stored(caller.gateway.js, await caller.require(thread_id)):
        thread.apply(event)
    if thread.created_at is None:
        async for event in records.events_of(caller.gateway.settings, caller.tenant.id, thread_id):
            thread.apply(event)
    return thread


async def publish_user_message(caller: Caller, thread_id: str, message_id: str, text: str) -> UserMessage:
    """Publish the visitor's message (ids as the socket derives them, message_id = the ChatKit item id).

    The thread is followed first, so the response that relays the answer misses nothing (not
    even the reply's first deltas); its seq is where that response starts.
    """
    visitor = caller.visitor(thread_id)
    follow = caller.follows.setdefault(thread_id, Follow(caller.gateway, visitor))
    await follow.open()
    event = commands.user_message(visitor, MessageSend(client_id=message_id, text=text))
    event.message_id = message_id
    seq = await emit(caller.gateway.broker, event)
    if seq is not None:
        caller.published[thread_id] = seq
    return event


class BusStore(Store[Caller]):
    def generate_thread_id(self, context: Caller) -> str:
        return context.new_thread or uuid.uuid4().hex

    def generate_item_id(self, item_type: StoreItemType, thread: ThreadMetadata, context: Caller) -> str:
        new = uuid.uuid4().hex
        if item_type == "message":
            context.fresh.add(new)  # a new visitor message, published when ChatKit adds it
        return new

    async def load_thread(self, thread_id: str, context: Caller) -> ThreadMetadata:
        thread = await fold(context, thread_id)
        created = thread.created_at or datetime.now(UTC)
        return ThreadMetadata(id=thread_id, title=thread.title, created_at=created)

    async def save_thread(self, thread: ThreadMetadata, context: Caller) -> None:
        return None  # titles come from the conversation (its first message); nothing else to keep

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: Caller
    ) -> Page[ThreadItem]:
        items = (await fold(context, thread_id)).ordered()
        if order == "desc":
            items.reverse()
        if after is not None:
            ids = [i.id for i in items]
            items = items[ids.index(after) + 1 :] if after in ids else []
        page = items[:limit]
        return Page(data=page, has_more=len(items) > limit, after=page[-1].id if page else None)

    async def load_item(self, thread_id: str, item_id: str, context: Caller) -> ThreadItem:
        item = (await fold(context, thread_id)).items.get(item_id)
        if item is None:
            raise NotFoundError(f"Expected an item of thread {thread_id!r}, got {item_id!r}")
        return item

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Caller) -> None:
        # Only the visitor's new message is ours to publish; every other item came from the bus.
        if isinstance(item, UserMessageItem) and item.id in context.fresh:
            context.fresh.discard(item.id)
            await publish_user_message(context, thread_id, item.id, text_of(item))

    async def save_item(self, thread_id: str, item: ThreadItem, context: Caller) -> None:
        return None  # replaced items are views of stored events

    async def delete_thread_item(self, thread_id: str, item_id: str, context: Caller) -> None:
        return None  # history is append-only (retry keeps the earlier answer in the record)

    async def delete_thread(self, thread_id: str, context: Caller) -> None:
        raise Unsupported("Conversations are kept as the tenant's record; a visitor cannot delete one")

    async def load_threads(self, limit: int, after: str | None, order: str, context: Caller) -> Page[ThreadMetadata]:
        threads = await records.threads_of(context.gateway.settings, context.tenant.id, context.claims.visitor)
        if context.claims.conversation not in {t.id for t in threads}:
            own = await self.load_thread(context.claims.conversation, context)
            threads.append(own)
        threads.sort(key=lambda t: t.created_at, reverse=order == "desc")
        if after is not None:
            ids = [t.id for t in threads]
            threads = threads[ids.index(after) + 1 :] if after in ids else []
        page = threads[:limit]
        return Page(data=page, has_more=len(threads) > limit, after=page[-1].id if page else None)

    async def save_attachment(self, attachment: Attachment, context: Caller) -> None:
        raise Unsupported("Attachments are not supported")

    async def load_attachment(self, attachment_id: str, context: Caller) -> Attachment:
        raise Unsupported("Attachments are not supported")

    async def delete_attachment(self, attachment_id: str, context: Caller) -> None:
        raise Unsupported("Attachments are not supported")
