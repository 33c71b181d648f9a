"""NatsGate against a real nats-server: the conversation lock's release and a rerun's resume point."""

from __future__ import annotations

from collections.abc import AsyncIterator

import nats
import pytest
from faststream.nats import NatsBroker

from orchestrator.gate import REPLY_PROGRESS_STREAM, NatsGate, Resume, ensure_reply_progress
from shared.bus import emit, ensure_streams, make_broker
from shared.events import HandoffEnded, MessageCompleted, MessageDelta, UserMessage
from shared.settings import Settings
from shared.subjects import Channel, subject

pytestmark = pytest.mark.connected


@pytest.fixture
async def gate(nats_client: nats.NATS) -> NatsGate:
    js = nats_client.jetstream()
    await ensure_streams(js)
    return await NatsGate.connect(js)


@pytest.fixture
async def bus(connected_settings: Settings) -> AsyncIterator[NatsBroker]:
    broker = make_broker(connected_settings)
    await broker.connect()
    yield broker
    await broker.stop()


async def test_release_after_a_refresh_the_client_gave_up_on(gate: NatsGate, conversation_id: str) -> None:
    """NATS froze mid-turn: a lock refresh timed out here but was applied when the server came back.

    The lock's revision moved on without us; release must still free it (not leave it a TTL).
    """
    lock = await gate.acquire("acme", conversation_id)
    assert lock is not None
    await gate.locks._update(lock.key, lock.owner.encode(), last=lock.revision, msg_ttl=gate.lock_ttl)
    await gate.release(lock)
    assert await gate.acquire("acme", conversation_id) is not None, "released at once"


async def test_refresh_after_a_refresh_the_client_gave_up_on(gate: NatsGate, conversation_id: str) -> None:
    """The lock is still ours at a newer revision: keep it (do not give the turn up), release it after."""
    lock = await gate.acquire("acme", conversation_id)
    assert lock is not None
    await gate.locks._update(lock.key, lock.owner.encode(), last=lock.revision, msg_ttl=gate.lock_ttl)
    assert await gate.refresh(lock)
    await gate.release(lock)
    assert await gate.acquire("acme", conversation_id) is not None


async def test_refresh_of_a_lock_taken_since_is_refused(gate: NatsGate, conversation_id: str) -> None:
    lock = await gate.acquire("acme", conversation_id)
    assert lock is not None
    await gate.locks.purge(lock.key)  # expired...
    assert await gate.acquire("acme", conversation_id) is not None  # ...and taken, even by this replica
    assert not await gate.refresh(lock)


async def test_release_leaves_a_lock_another_replica_took(gate: NatsGate, conversation_id: str) -> None:
    lock = await gate.acquire("acme", conversation_id)
    assert lock is not None
    await gate.locks.purge(lock.key)  # expired...
    other = await gate.locks.create(lock.key, b"another-replica")  # ...and taken
    await gate.release(lock)
    entry = await gate.locks.get(lock.key)
    assert (entry.value, entry.revision) == (b"another-replica", other)


async def test_resume_point_reads_the_last_delta_and_the_stored_end(
    gate: NatsGate, nats_client: nats.NATS, bus: NatsBroker, conversation_id: str
) -> None:
    """What a rerun learns: the characters its earlier run showed, and whether it was completed."""
    assert await gate.resume_point("acme", conversation_id, "r1") == Resume()
    for offset, text in ((0, "Standard "), (9, "shipping")):
        delta = MessageDelta(
            tenant_id="acme", conversation_id=conversation_id, message_id="r1", offset=offset, text=text
        )
        await nats_client.publish(delta.subject, delta.model_dump_json().encode())  # as the orchestrator does
    # The server stores plain publishes asynchronously: an acked publish into the same stream,
    # from the same connection, is stored after them.
    await nats_client.jetstream().publish(subject(Channel.PUSH, "acme", "barrier", "message.delta"), b"{}")
    assert await gate.resume_point("acme", conversation_id, "r1") == Resume(shown=17)
    assert await gate.resume_point("acme", conversation_id, "r2") == Resume(), "another reply's progress"
    await emit(
        bus,
        MessageCompleted(
            tenant_id="acme",
            conversation_id=conversation_id,
            message_id="r1",
            role="assistant",
            text="Standard shipping",
        ),
    )
    assert await gate.resume_point("acme", conversation_id, "r1") == Resume(ended="completed", shown=17)


async def test_resume_point_without_the_progress_stream(gate: NatsGate, conversation_id: str) -> None:
    """A restarted nats-server has lost the memory stream: nothing known, no error (the turn reruns)."""
    await gate.js.delete_stream(REPLY_PROGRESS_STREAM)
    try:
        assert await gate.resume_point("acme", conversation_id, "r1") == Resume()
    finally:
        await ensure_reply_progress(gate.js)


async def test_stored_reads_of_a_conversation_keep_to_it_and_to_the_range(
    gate: NatsGate, bus: NatsBroker, conversation_id: str
) -> None:
    """pending: visitor messages in (after, through]; events: message.* in (after, before); stored: every kind."""
    other = f"{conversation_id}-other"
    visitor = {"client_id": "c", "visitor_id": "v1"}
    seqs: dict[str, int] = {}
    for name, event in (
        ("q1", UserMessage(tenant_id="acme", conversation_id=conversation_id, message_id="q1", text="hi?", **visitor)),
        ("noise", UserMessage(tenant_id="acme", conversation_id=other, message_id="x", text="not this one", **visitor)),
        ("a1", MessageCompleted(tenant_id="acme", conversation_id=conversation_id, message_id="a1", role="assistant",
                                text="Hello.", reply_to="q1")),
        ("ended", HandoffEnded(tenant_id="acme", conversation_id=conversation_id, outcome="back_to_ai")),
        ("q2", UserMessage(tenant_id="acme", conversation_id=conversation_id, message_id="q2", text="and?", **visitor)),
    ):  # fmt: skip
        seq = await emit(bus, event)
        assert seq is not None
        seqs[name] = seq
    before = seqs["q1"] - 1
    assert [e.message_id for _, e in await gate.pending("acme", conversation_id, before, seqs["q2"])] == ["q1", "q2"]
    assert [s for s, _ in await gate.pending("acme", conversation_id, seqs["q1"], seqs["q2"] - 1)] == []
    events = await gate.events("acme", conversation_id, before, seqs["q2"])
    assert [(s, e.type) for s, e in events] == [(seqs["q1"], "message.user"), (seqs["a1"], "message.completed")]
    stored = await gate.stored_events("acme", conversation_id, before, seqs["q2"] + 1)
    assert [e.type for _, e in stored] == ["message.user", "message.completed", "handoff.ended", "message.user"]
    assert all(e.seq == s for s, e in stored), "each event carries its stream sequence"
