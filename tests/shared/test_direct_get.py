"""Batched direct get against a real nats-server: a run of stored messages in one request."""

from __future__ import annotations

import uuid

import nats
import pytest
from nats.js.api import StreamConfig

from shared.direct_get import DirectGetError, stored_between


@pytest.fixture
async def stream(nats_client: nats.NATS) -> str:
    name = f"T{uuid.uuid4().hex[:8]}"
    js = nats_client.jetstream()
    await js.add_stream(StreamConfig(name=name, subjects=[f"{name}.>"], allow_direct=True))
    # Three conversations interleaved, with a kind the filter leaves out.
    for i in range(10):
        await js.publish(f"{name}.a.message.user", f"a{i}".encode())
        await js.publish(f"{name}.b.message.user", f"b{i}".encode())
        await js.publish(f"{name}.a.typing", b"t")
    return name


async def test_only_the_filtered_subject_in_the_range_in_order(nats_client: nats.NATS, stream: str) -> None:
    got = await stored_between(nats_client, stream, f"{stream}.a.message.>", after_seq=3, before_seq=20)
    # a-messages are at seqs 1, 4, 7, ...: after 3 and before 20 are 4, 7, 10, 13, 16, 19.
    assert [(m.seq, m.data) for m in got] == [(3 * i + 1, f"a{i}".encode()) for i in range(1, 7)]
    assert {m.subject for m in got} == {f"{stream}.a.message.user"}


async def test_to_the_end_across_several_batches(nats_client: nats.NATS, stream: str) -> None:
    got = await stored_between(nats_client, stream, f"{stream}.b.>", after_seq=0, batch=3)
    assert [m.data for m in got] == [f"b{i}".encode() for i in range(10)]


async def test_nothing_stored_there_is_an_empty_list(nats_client: nats.NATS, stream: str) -> None:
    assert await stored_between(nats_client, stream, f"{stream}.a.message.>", after_seq=28) == []
    assert await stored_between(nats_client, stream, f"{stream}.zzz", after_seq=0) == []
    assert await stored_between(nats_client, stream, f"{stream}.a.>", after_seq=5, before_seq=6) == []


async def test_a_missing_stream_is_an_error_at_once_not_a_timeout(nats_client: nats.NATS) -> None:
    # No responders (503): the caller learns at once; a 60 s timeout would tell the wait, not the cause.
    with pytest.raises(DirectGetError, match="503"):
        await stored_between(nats_client, "NO_SUCH_STREAM", "x.>", after_seq=0, timeout=60.0)
