"""The ChatKit adapter's plain parts: heartbeats and errors, delta offsets, flags, when a response ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from chatkit.types import (
    ErrorEvent,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
)

from gateway.chatkit.items import apply_flags, assistant_item
from gateway.chatkit.routes import with_heartbeats
from gateway.chatkit.stream import Translator
from gateway.chatkit.watch import ReplyWatch
from shared.events import (
    Author,
    HandoffAccepted,
    HandoffEnded,
    MessageCancelled,
    MessageCompleted,
    MessageCreated,
    MessageDelta,
    MessageFlagged,
)
from tests.frontends.clients import EVENT

IDS = {"tenant_id": "acme", "conversation_id": "c1"}


async def test_a_quiet_stream_gets_keepalives_and_a_failed_one_ends_with_a_chatkit_error() -> None:
    go = asyncio.Event()

    async def chunks() -> AsyncIterator[bytes]:
        await go.wait()
        yield b"data: {}\n\n"
        raise RuntimeError("bus down")

    out = with_heartbeats(chunks(), every=0.01)
    assert await anext(out) == b": keepalive\n\n"
    go.set()
    rest = [chunk async for chunk in out if chunk != b": keepalive\n\n"]
    assert rest[0] == b"data: {}\n\n"
    error = EVENT.validate_json(rest[1].removeprefix(b"data: "))
    assert isinstance(error, ErrorEvent)
    assert error.allow_retry is True
    assert len(rest) == 2


async def nothing(_: str) -> None:
    return None


async def test_deltas_by_offset_never_repeat_text() -> None:
    translator = Translator("c1", nothing)
    added = await translator.translate(MessageDelta(**IDS, message_id="r", offset=0, text="Hello "))
    assert isinstance(added[0], ThreadItemAddedEvent)  # a delta before message.created opens the item
    # A replay snapshot (offset 0, everything so far) overlapping what was sent adds only the rest.
    snapshot = await translator.translate(MessageDelta(**IDS, message_id="r", offset=0, text="Hello wor"))
    live = await translator.translate(MessageDelta(**IDS, message_id="r", offset=9, text="ld"))
    assert [e.update.delta for e in snapshot + live if isinstance(e, ThreadItemUpdatedEvent)] == ["wor", "ld"]
    assert await translator.translate(MessageDelta(**IDS, message_id="r", offset=6, text="wor")) == []
    done = await translator.translate(MessageCompleted(**IDS, message_id="r", role="assistant", text="Hello world"))
    assert done[0].item.content[0].text == "Hello world"
    assert await translator.translate(MessageDelta(**IDS, message_id="r", offset=11, text="!")) == []


def flag(start: int, end: int, action: str, replacement: str | None = None) -> MessageFlagged:
    return MessageFlagged(
        **IDS, message_id="r", start=start, end=end, sentence="", score=1, reason="r", method="m",
        action=action, replacement=replacement,
    )  # fmt: skip


def test_flags_edit_the_text_as_the_widget_shows_it() -> None:
    text = "One. Two. Three."
    assert apply_flags(text, [flag(5, 9, "withhold"), flag(10, 16, "replace", "3!")]) == "One. [withheld] 3!"
    assert apply_flags(text, [flag(0, 4, "flag")]) == text
    assert apply_flags(text, [flag(0, 9, "withhold"), flag(5, 9, "replace", "x")]) == "[withheld] Three."
    assert apply_flags(text, [flag(10, 99, "withhold")]) == text  # beyond the text: nothing to edit


def test_a_response_ends_with_its_reply_or_when_the_person_answers() -> None:
    watch = ReplyWatch("m1")
    watch.see(MessageCreated(**IDS, message_id="r1", role="assistant", reply_to="m1"))
    assert not watch.finished
    watch.see(MessageCompleted(**IDS, message_id="other", role="assistant", text="x", reply_to="m0"))
    assert not watch.finished
    watch.see(HandoffAccepted(**IDS, agent=Author(name="Sam")))
    watch.see(MessageCancelled(**IDS, message_id="r1", reason="agent joined"))
    assert watch.answered
    assert not watch.finished  # a person joined: the stream stays open until they answer
    watch.see(MessageCompleted(**IDS, message_id="agent-1", role="agent", text="Hi"))
    assert watch.finished

    waiting = ReplyWatch("m2")
    waiting.live = True  # the visitor writes during a live handoff
    waiting.see(HandoffEnded(**IDS, outcome="back_to_ai"))
    assert waiting.finished
    assert ReplyWatch(None).finished  # an action waits for nothing


async def test_a_flag_on_an_earlier_reply_replaces_it_from_history() -> None:
    stored = assistant_item("c1", "old", datetime.now(UTC), "One. [withheld]")

    async def load(item_id: str) -> ThreadItem | None:
        return stored if item_id == "old" else None

    translator = Translator("c1", load)
    withheld = flag(5, 9, "withhold").model_copy(update={"message_id": "old"})
    out = await translator.translate(withheld)
    assert [type(e) for e in out] == [ThreadItemDoneEvent, ThreadItemReplacedEvent]
    assert out[0].item.id == f"note_{withheld.id}"
    assert out[1].item is stored
