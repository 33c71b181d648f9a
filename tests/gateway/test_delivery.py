"""Delivery and resume against a running gateway: what services publish reaches the right sockets."""

import asyncio
import json

import nats
import pytest
from faststream.nats import NatsBroker
from nats.aio.msg import Msg

from gateway import replay
from gateway.commands import Visitor
from gateway.delivery import Delivery
from shared.bus import emit
from shared.events import MessageCompleted, MessageCreated, MessageDelta, Notice, Typing
from shared.subjects import stream_state_subject
from tests.gateway.conftest import GatewayClient, Socket

pytestmark = pytest.mark.connected


def _notice(session: dict, text: str) -> Notice:
    return Notice(tenant_id="acme", conversation_id=session["conversation_id"], code="test", text=text)


async def _notices(broker: NatsBroker, session: dict, *texts: str) -> list[int]:
    seqs = [await emit(broker, _notice(session, text)) for text in texts]
    assert all(isinstance(s, int) for s in seqs)
    return seqs  # type: ignore[return-value]


async def _collect(ws: Socket, kind: str, n: int) -> list[dict]:
    return [await ws.recv_until(kind) for _ in range(n)]


async def test_durable_events_arrive_with_seq_and_ephemeral_ones_without(
    gateway: GatewayClient, broker: NatsBroker
) -> None:
    session, other = await gateway.session(), await gateway.session()
    conv = session["conversation_id"]
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        # Another conversation's traffic never reaches this socket.
        await emit(broker, _notice(other, "not for you"))
        [seq] = await _notices(broker, session, "An agent will join")
        await emit(broker, MessageDelta(tenant_id="acme", conversation_id=conv, message_id="m", offset=0, text="Hi"))
        await emit(broker, Typing(tenant_id="acme", conversation_id=conv, who="assistant"))
        notice = await ws.recv()
        delta = await ws.recv()
        typing = await ws.recv()
    assert (notice["type"], notice["text"], notice["seq"]) == ("notice", "An agent will join", seq)
    assert (delta["type"], delta["text"], delta["offset"], delta["seq"]) == ("message.delta", "Hi", 0, None)
    assert (typing["type"], typing["who"]) == ("typing", "assistant")


async def test_every_tab_of_a_conversation_gets_everything(gateway: GatewayClient, broker: NatsBroker) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"]) as tab1, gateway.socket(session["token"]) as tab2:
        await tab1.recv_until("hello")
        await tab2.recv_until("hello")
        seqs = await _notices(broker, session, "one", "two")
        for tab in (tab1, tab2):
            assert [f["seq"] for f in await _collect(tab, "notice", 2)] == seqs


async def test_resume_after_seq_replays_exactly_the_missing_events_then_goes_live(
    gateway: GatewayClient, broker: NatsBroker
) -> None:
    session = await gateway.session()
    seqs = await _notices(broker, session, "a", "b", "c", "d")
    async with gateway.socket(session["token"], after_seq=seqs[1]) as ws:
        await ws.recv_until("hello")
        replayed = await _collect(ws, "notice", 2)
        resumed = await ws.recv_until("resumed")
        [live_seq] = await _notices(broker, session, "e")
        live = await ws.recv_until("notice")
        assert [f["text"] for f in ws.skipped] == []  # nothing else: no duplicates, no gaps
    assert [(f["seq"], f["text"]) for f in replayed] == [(seqs[2], "c"), (seqs[3], "d")]
    assert resumed == {"type": "resumed", "after_seq": seqs[1], "last_seq": seqs[3], "replayed": 2}
    assert (live["seq"], live["text"]) == (live_seq, "e")


async def test_resume_with_nothing_missing_and_resume_frame_on_an_open_socket(
    gateway: GatewayClient, broker: NatsBroker
) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"], after_seq=0) as ws:
        assert (await ws.recv_until("resumed"))["replayed"] == 0
        seqs = await _notices(broker, session, "x", "y")
        assert [f["seq"] for f in await _collect(ws, "notice", 2)] == seqs
        # The widget missed "y" (say, it was not rendered): it asks again on the same socket.
        await ws.send({"type": "resume", "after_seq": seqs[0]})
        again = await ws.recv_until("notice")
        resumed = await ws.recv_until("resumed")
    assert (again["seq"], again["text"]) == (seqs[1], "y")
    assert (resumed["replayed"], resumed["last_seq"]) == (1, seqs[1])


class StreamStateResponder:
    """Plays the orchestrator's side of stream_state_subject."""

    def __init__(self, text: str, done: bool = False) -> None:
        self.text = text
        self.done = done
        self.asked: list[str] = []

    async def answer(self, msg: nats.aio.msg.Msg) -> None:
        message_id = json.loads(msg.data)["message_id"]
        self.asked.append(message_id)
        await msg.respond(json.dumps({"message_id": message_id, "text": self.text, "done": self.done}).encode())


async def _reply_started(broker: NatsBroker, session: dict, message_id: str) -> int:
    created = MessageCreated(
        tenant_id="acme", conversation_id=session["conversation_id"], message_id=message_id, role="assistant"
    )
    seq = await emit(broker, created)
    assert seq is not None
    return seq


@pytest.mark.parametrize("resume_from_created", [False, True], ids=["replay-shows-created", "created-already-seen"])
async def test_mid_stream_resume_sends_the_text_so_far_then_live_deltas_continue_it(
    gateway: GatewayClient, broker: NatsBroker, nats_client: nats.NATS, resume_from_created: bool
) -> None:
    session = await gateway.session()
    conv = session["conversation_id"]
    created_seq = await _reply_started(broker, session, "m1")
    responder = StreamStateResponder("Hello wor")
    sub = await nats_client.subscribe(stream_state_subject("acme", conv), cb=responder.answer)
    await nats_client.flush()
    after_seq = created_seq if resume_from_created else created_seq - 1
    async with gateway.socket(session["token"], after_seq=after_seq) as ws:
        snapshot = await ws.recv_until("message.delta")
        await ws.recv_until("resumed")
        await emit(broker, MessageDelta(tenant_id="acme", conversation_id=conv, message_id="m1", offset=9, text="ld"))
        live = await ws.recv_until("message.delta")
        if not resume_from_created:
            assert (await ws.recv_until("message.created"))["seq"] == created_seq
    await sub.unsubscribe()
    assert responder.asked == ["m1"]
    assert (snapshot["message_id"], snapshot["offset"], snapshot["text"]) == ("m1", 0, "Hello wor")
    assert (live["offset"], live["text"]) == (9, "ld")
    text = snapshot["text"][: live["offset"]] + live["text"]
    assert text == "Hello world"


async def test_finished_replies_are_not_asked_about_and_silence_is_survived(
    gateway: GatewayClient, broker: NatsBroker, nats_client: nats.NATS
) -> None:
    session = await gateway.session()
    conv = session["conversation_id"]
    await _reply_started(broker, session, "done1")
    await emit(
        broker,
        MessageCompleted(tenant_id="acme", conversation_id=conv, message_id="done1", role="assistant", text="Bye"),
    )
    responder = StreamStateResponder("should not be asked")
    sub = await nats_client.subscribe(stream_state_subject("acme", conv), cb=responder.answer)
    await nats_client.flush()
    async with gateway.socket(session["token"], after_seq=0) as ws:
        resumed = await ws.recv_until("resumed")
    await sub.unsubscribe()
    assert responder.asked == []
    assert resumed["replayed"] == 2
    assert [f["type"] for f in ws.skipped] == ["hello", "message.created", "message.completed"]
    # An open reply with no orchestrator to answer: resume completes without a snapshot.
    await _reply_started(broker, session, "orphan")
    async with gateway.socket(session["token"], after_seq=0) as ws:
        resumed = await asyncio.wait_for(ws.recv_until("resumed"), 10)
    assert resumed["replayed"] == 3
    assert "message.delta" not in [f["type"] for f in ws.skipped]


async def test_a_long_replay_switches_to_a_consumer_without_gaps_or_doubles(
    gateway: GatewayClient, broker: NatsBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replay, "FETCH_ONE_BY_ONE", 3)
    session = await gateway.session()
    seqs = await _notices(broker, session, *(f"n{i}" for i in range(10)))
    async with gateway.socket(session["token"], after_seq=seqs[0]) as ws:
        replayed = await _collect(ws, "notice", 9)
        resumed = await ws.recv_until("resumed")
    assert [(f["seq"], f["text"]) for f in replayed] == [(s, f"n{i}") for i, s in enumerate(seqs)][1:]
    assert (resumed["replayed"], resumed["last_seq"]) == (9, seqs[-1])


async def test_an_event_the_republish_missed_right_after_subscribing_is_sent_before_the_next(
    nats_client: nats.NATS, conversation_id: str
) -> None:
    """The stream's republish sees a new subscription a few ms late (the cause of a flaky tab):
    the first live event is checked against the stream, and what it missed is sent first."""
    visitor = Visitor(tenant_id="acme", conversation_id=conversation_id, visitor_id="v")
    js = nats_client.jetstream()
    outbox = Delivery(nats_client, js, visitor)
    await outbox.start()
    await outbox.close()  # nothing comes through the subscription: as if the republish missed it
    outbox.go_live()
    notices = [Notice(tenant_id="acme", conversation_id=conversation_id, code="t", text=t) for t in ("one", "two")]
    acks = [await js.publish(n.subject, n.model_dump_json().encode()) for n in notices]
    second = Msg(
        nats_client,
        subject=notices[1].subject,
        data=notices[1].model_dump_json().encode(),
        headers={"Nats-Sequence": str(acks[1].seq)},
    )
    await outbox._on_msg(second)
    sent = [json.loads(outbox.queue.get_nowait()) for _ in range(outbox.queue.qsize())]
    assert [(f["text"], f["seq"]) for f in sent] == [("one", acks[0].seq), ("two", acks[1].seq)]


async def test_an_event_the_republish_missed_with_nothing_after_it_is_still_sent(
    nats_client: nats.NATS, conversation_id: str
) -> None:
    """The missed event may be the last for a while (a ChatKit side channel opened, one update
    pushed): without a live event to prove the subscription, the stream is read once shortly after."""
    visitor = Visitor(tenant_id="acme", conversation_id=conversation_id, visitor_id="v")
    js = nats_client.jetstream()
    outbox = Delivery(nats_client, js, visitor)
    await outbox.start()
    assert outbox._sub is not None
    await outbox._sub.unsubscribe()  # as if the republish missed everything from here on
    outbox.go_live()
    notice = Notice(tenant_id="acme", conversation_id=conversation_id, code="t", text="only")
    ack = await js.publish(notice.subject, notice.model_dump_json().encode())
    try:
        sent = json.loads(await asyncio.wait_for(outbox.queue.get(), timeout=10))
    finally:
        await outbox.close()
    assert (sent["text"], sent["seq"]) == ("only", ack.seq)
    assert outbox.queue.empty(), "sent once"
