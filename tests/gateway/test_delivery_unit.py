"""Delivery's ordering, de-duplication and back-pressure, without NATS."""

import json
from dataclasses import dataclass

from gateway.commands import Visitor
from gateway.delivery import Delivery, Outgoing

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


def test_deltas_covered_by_a_snapshot_are_recognised() -> None:
    snapshot = {"m": 5}
    assert Outgoing.from_msg(_delta(0, "hello")).covered_by(snapshot)  # type: ignore[arg-type]
    assert not Outgoing.from_msg(_delta(3, "lo!")).covered_by(snapshot)  # type: ignore[arg-type]
    assert not Outgoing.from_msg(_delta(0, "hello")).covered_by({"other": 5})  # type: ignore[arg-type]
    assert not Outgoing.from_msg(_durable(1)).covered_by(snapshot)  # type: ignore[arg-type]
