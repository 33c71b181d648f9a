"""Delivery's ordering, de-duplication and back-pressure, without NATS."""

import json
from dataclasses import dataclass

from gateway.commands import Visitor
from gateway.delivery import Delivery, Outgoing, _track_replies

VISITOR = Visitor(tenant_id="acme", conversation_id="c1", visitor_id="v")


@dataclass
class FakeMsg:
    data: bytes
    headers: dict[str, str] | None = None


def _durable(seq: int, kind: str = "notice") -> FakeMsg:
    return FakeMsg(json.dumps({"type": kind, "seq": None}).encode(), {"Nats-Sequence": str(seq)})


def _delta(offset: int, text: str) -> FakeMsg:
    return FakeMsg(json.dumps({"type": "message.delta", "message_id": "m", "offset": offset, "text": text}).encode())


def _drain(delivery: Delivery) -> list[dict]:
    out = []
    while not delivery.queue.empty():
        out.append(json.loads(delivery.queue.get_nowait()))
    return out


async def test_durable_events_get_their_seq_and_duplicates_are_dropped() -> None:
    delivery = Delivery(None, None, VISITOR)  # type: ignore[arg-type]
    delivery.go_live()
    for msg in (_durable(3), _durable(3), _durable(2), _delta(0, "hi"), _durable(5)):
        await delivery._on_msg(msg)  # type: ignore[arg-type]
    frames = _drain(delivery)
    assert [f.get("seq") for f in frames] == [3, None, 5]
    assert frames[1]["text"] == "hi"


async def test_events_wait_in_the_buffer_until_live() -> None:
    delivery = Delivery(None, None, VISITOR)  # type: ignore[arg-type]
    await delivery._on_msg(_durable(1))  # type: ignore[arg-type]
    assert delivery.queue.empty()
    delivery.go_live()
    assert [f["seq"] for f in _drain(delivery)] == [1]


async def test_a_socket_that_cannot_keep_up_is_marked_behind() -> None:
    delivery = Delivery(None, None, VISITOR, max_queue=2)  # type: ignore[arg-type]
    delivery.go_live()
    for i in range(3):
        await delivery._on_msg(_delta(i, "x"))  # type: ignore[arg-type]
    assert delivery.behind.is_set()


def test_held_deltas_made_useless_by_the_replay_are_recognised() -> None:
    snapshot = {"m": 5}
    assert Outgoing.from_msg(_delta(0, "hello")).stale(snapshot, set())  # type: ignore[arg-type]
    assert not Outgoing.from_msg(_delta(3, "lo!")).stale(snapshot, set())  # type: ignore[arg-type]
    assert not Outgoing.from_msg(_delta(0, "hello")).stale({"other": 5}, set())  # type: ignore[arg-type]
    assert not Outgoing.from_msg(_durable(1)).stale(snapshot, {"m"})  # type: ignore[arg-type]
    # The reply completed during the replay: its late deltas would only truncate the text.
    assert Outgoing.from_msg(_delta(40, "tail")).stale({}, {"m"})  # type: ignore[arg-type]


def test_replay_tracking_knows_which_replies_are_open_and_which_ended() -> None:
    open_replies: dict[str, None] = {}
    ended: set[str] = set()
    for kind, message_id in [
        ("message.created", "a"),
        ("message.created", "b"),
        ("message.delta", "b"),
        ("message.completed", "a"),
        ("message.created", "c"),
        ("message.cancelled", "c"),
    ]:
        _track_replies(json.dumps({"type": kind, "message_id": message_id}).encode(), open_replies, ended)
    assert list(open_replies) == ["b"]
    assert ended == {"a", "c"}
