"""Live ChatKit: a handoff reaches the open response stream, the side channel delivers what nobody asked
for, and guard flags are visible. Events are published the way handoff/ and guards/ publish them."""

from __future__ import annotations

import statistics
import time

import pytest
from chatkit.types import (
    AssistantMessageContentPartAdded,
    AssistantMessageItem,
    ItemsListParams,
    ItemsListReq,
    ProgressUpdateEvent,
    ThreadAddUserMessageParams,
    ThreadCreatedEvent,
    ThreadCreateParams,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    UserMessageItem,
    WidgetItem,
)
from faststream.nats import NatsBroker

from shared.bus import emit
from shared.events import (
    Author,
    HandoffAccepted,
    HandoffEnded,
    HandoffQueued,
    MessageCompleted,
    MessageCreated,
    MessageDelta,
    MessageFlagged,
    Typing,
)
from tests.frontends.clients import ChatKitClient, EventStream, message

pytestmark = pytest.mark.connected
SAM = Author(name="Sam")


def done(item_type: type, predicate=lambda item: True):
    return lambda e: isinstance(e, ThreadItemDoneEvent) and isinstance(e.item, item_type) and predicate(e.item)


def note_titled(text: str):
    return done(WidgetItem, lambda item: text in item.widget.model_dump()["status"]["text"])


async def opened(stream: EventStream) -> tuple[str, str]:
    """(thread id, the visitor message id) from the start of a threads.create stream."""
    created = await stream.until(lambda e: isinstance(e, ThreadCreatedEvent))
    user = await stream.until(done(UserMessageItem))
    return created.thread.id, user.item.id


async def agent_says(broker: NatsBroker, thread_id: str, n: int) -> str:
    message_id = f"agent-{thread_id[:8]}-{n}"
    await emit(
        broker,
        MessageCompleted(
            id=message_id,
            tenant_id="acme",
            conversation_id=thread_id,
            message_id=message_id,
            role="agent",
            text=f"Sam here ({n})",
            author=SAM,
        ),
    )
    return message_id


async def test_handoff_during_a_chatkit_conversation_reaches_the_open_stream(
    chatkit: ChatKitClient, broker: NatsBroker
) -> None:
    request = ThreadsCreateReq(params=ThreadCreateParams(input=message("I want to talk to a person")))
    async with chatkit.stream(request) as stream:
        thread_id, _ = await opened(stream)
        ids = {"tenant_id": "acme", "conversation_id": thread_id}
        await emit(broker, HandoffQueued(**ids, trigger="visitor", position=2))
        queued = await stream.until(note_titled("Waiting for a person"))
        assert "number 2 in line" in queued.item.copy_text
        await emit(broker, HandoffAccepted(**ids, agent=SAM, trigger="visitor"))
        await stream.until(note_titled("Sam joined"))
        await emit(broker, Typing(**ids, who="agent", name="Sam", on=True))
        typing = await stream.until(lambda e: isinstance(e, ProgressUpdateEvent))
        assert typing.text == "Sam is typing…"
        message_id = await agent_says(broker, thread_id, 0)
        # The person answered: the response ends, so the ChatKit composer can send again.
        rest = await stream.rest()
    assert [e.item.id for e in rest if done(AssistantMessageItem)(e)] == [message_id]

    # A conversation with the person: each visitor message keeps the stream open until they answer.
    delays = []
    for n in range(1, 21):
        say = ThreadsAddUserMessageReq(params=ThreadAddUserMessageParams(thread_id=thread_id, input=message(f"Q{n}")))
        async with chatkit.stream(say) as stream:
            await stream.until(done(UserMessageItem))
            start = time.perf_counter()
            message_id = await agent_says(broker, thread_id, n)
            said = await stream.until(done(AssistantMessageItem))
            delays.append((time.perf_counter() - start) * 1000)
            assert said.item.id == message_id
            assert said.item.content[0].text == f"Sam here ({n})"
            await stream.rest()
    print(
        f"\nagent message -> ChatKit client (open stream): median {statistics.median(delays):.2f} ms, "
        f"max {max(delays):.2f} ms over {len(delays)}"
    )

    say = ThreadsAddUserMessageReq(params=ThreadAddUserMessageParams(thread_id=thread_id, input=message("Bye")))
    async with chatkit.stream(say) as stream:
        await stream.until(done(UserMessageItem))
        await emit(broker, HandoffEnded(**ids, outcome="back_to_ai", agent=SAM, reason="handed_back"))
        rest = await stream.rest()  # the handoff ended: the response ends
    assert any(note_titled("Sam left")(e) for e in rest)


async def test_side_channel_delivers_without_the_client_asking(chatkit: ChatKitClient, broker: NatsBroker) -> None:
    request = ThreadsCreateReq(params=ThreadCreateParams(input=message("Hello?")))
    async with chatkit.stream(request) as stream:
        thread_id, _ = await opened(stream)
    ids = {"tenant_id": "acme", "conversation_id": thread_id}
    async with chatkit.updates(thread_id) as updates:
        await emit(broker, HandoffAccepted(**ids, agent=SAM))
        await updates.until(note_titled("Sam joined"))
        start = time.perf_counter()
        message_id = await agent_says(broker, thread_id, 1)
        await updates.until(done(AssistantMessageItem, lambda item: item.id == message_id))
        print(f"\nagent message -> ChatKit client (side channel): {(time.perf_counter() - start) * 1000:.2f} ms")
        # A proactive assistant message (nobody asked): streamed deltas, then done.
        await emit(broker, MessageCreated(**ids, message_id="promo", role="assistant"))
        await emit(broker, MessageDelta(**ids, message_id="promo", offset=0, text="Free shipping today!"))
        delta = await updates.until(lambda e: isinstance(e, ThreadItemUpdatedEvent))
        assert delta.item_id == "promo"
        assert delta.update.delta == "Free shipping today!"
    # Reconnecting after a seq (EventSource's Last-Event-ID) replays what was stored since.
    async with chatkit.updates(thread_id, after_seq=0) as replay:
        await replay.until(done(UserMessageItem))
        await replay.until(done(AssistantMessageItem, lambda item: item.id == message_id))


async def test_withheld_and_flagged_sentences_are_visible(chatkit: ChatKitClient, broker: NatsBroker) -> None:
    text = "Boots ship free. They are waterproof to 10 km. Returns take 30 days."
    request = ThreadsCreateReq(params=ThreadCreateParams(input=message("Tell me about boots")))
    async with chatkit.stream(request) as stream:
        thread_id, user_id = await opened(stream)
        ids = {"tenant_id": "acme", "conversation_id": thread_id, "message_id": "r1"}
        await emit(broker, MessageCreated(**ids, role="assistant", reply_to=user_id))
        # Deltas are not stored: the response followed the thread before the visitor's message
        # was published, so none published after the client sees its message is missed.
        await emit(broker, MessageDelta(**ids, offset=0, text=text[:47]))
        streamed = await stream.until(lambda e: isinstance(e, ThreadItemUpdatedEvent))
        assert streamed.update.delta == text[:47]  # the guard flags what the visitor already has
        withheld = MessageFlagged(
            **ids,
            start=17,
            end=46,
            sentence=text[17:46],
            score=0.9,
            reason="No source says so",
            method="grounding",
            action="withhold",
        )
        await emit(broker, withheld)
        await stream.until(note_titled("A sentence was withheld"))
        edit = await stream.until(
            lambda e: isinstance(e, ThreadItemUpdatedEvent) and isinstance(e.update, AssistantMessageContentPartAdded)
        )
        assert edit.update.content.text == "Boots ship free. [withheld] "
        await emit(broker, MessageDelta(**ids, offset=47, text=text[47:]))
        flag = MessageFlagged(
            **ids, start=47, end=len(text), sentence=text[47:], score=0.6, reason="Unclear", method="grounding"
        )
        await emit(broker, flag)
        await emit(broker, MessageCompleted(**ids, role="assistant", text=text, reply_to=user_id))
        events = await stream.rest()
    [final] = [e.item for e in events if done(AssistantMessageItem)(e)]
    shown = "Boots ship free. [withheld] Returns take 30 days."
    assert final.content[0].text == shown
    assert any(note_titled("Possibly unsupported")(e) and "Returns take 30 days." in e.item.copy_text for e in events)
    listed = await chatkit.call(ItemsListReq(params=ItemsListParams(thread_id=thread_id, order="asc")))
    assert [i["id"] for i in listed["data"]] == [user_id, "r1", f"note_{withheld.id}", f"note_{flag.id}"]
    assert listed["data"][1]["content"][0]["text"] == shown
