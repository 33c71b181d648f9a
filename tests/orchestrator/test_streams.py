import asyncio
import json
from typing import Any

from orchestrator.streams import ActiveStream, StreamRegistry
from shared.subjects import stream_state_subject


class FakeMsg:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.responses: list[bytes] = []

    async def respond(self, data: bytes) -> None:
        self.responses.append(data)


class FakeSub:
    def __init__(self) -> None:
        self.unsubscribed = False

    async def unsubscribe(self) -> None:
        self.unsubscribed = True


async def test_cancel_stops_the_task_and_keeps_the_reason() -> None:
    registry = StreamRegistry()
    stream = await registry.open("acme", "c1", "r1")
    stream.task = asyncio.create_task(asyncio.Event().wait())
    assert registry.cancel("acme", "c1", "agent_joined") is True
    assert stream.cancel_reason == "agent_joined"
    await asyncio.gather(stream.task, return_exceptions=True)
    assert stream.task.cancelled()
    assert registry.cancel("acme", "c1", "again") is False  # already cancelled


async def test_cancel_elsewhere_is_a_no_op() -> None:
    registry = StreamRegistry()
    await registry.open("acme", "c1", "r1")
    assert registry.cancel("acme", "other", "agent_joined") is False
    assert registry.cancel("globex", "c1", "agent_joined") is False


async def test_state_responder_answers_only_while_streaming() -> None:
    subscriptions: dict[str, Any] = {}
    sub = FakeSub()

    async def subscribe(subject: str, cb: Any) -> FakeSub:
        subscriptions[subject] = cb
        return sub

    registry = StreamRegistry(subscribe=subscribe)
    stream = await registry.open("acme", "c1", "r1")
    stream.parts += ["Hello", " there"]
    respond = subscriptions[stream_state_subject("acme", "c1")]

    asked = FakeMsg(json.dumps({"message_id": "r1"}).encode())
    await respond(asked)
    assert json.loads(asked.responses[0]) == {"message_id": "r1", "text": "Hello there", "done": False}

    other = FakeMsg(json.dumps({"message_id": "older"}).encode())
    await respond(other)
    assert other.responses == []

    await registry.close(stream)
    assert sub.unsubscribed
    assert registry.get("acme", "c1") is None
    late = FakeMsg(json.dumps({"message_id": "r1"}).encode())
    await respond(late)
    assert late.responses == []


def test_a_rerun_behind_what_was_shown_has_no_state_to_offer() -> None:
    """Asked mid-takeover, a shorter text would make a resumed widget's text shrink: say nothing."""
    stream = ActiveStream("acme", "c1", "r1", shown_before=10)
    stream.append("Standard")
    assert stream.state() is None
    stream.append(" shipping")
    assert stream.state() == {"message_id": "r1", "text": "Standard shipping", "done": False}
