"""Reading a conversation back from the stream skips what is not an event object instead of stalling."""

from __future__ import annotations

import asyncio

import nats
import pytest

from handoff.transcript import read_subject
from shared.subjects import CONV_STREAM, Channel, conversation_pattern, subject

pytestmark = pytest.mark.connected


async def test_malformed_stored_messages_are_skipped(nats_client: nats.NATS, conversation_id: str) -> None:
    js = nats_client.jetstream()
    good = subject(Channel.CONV, "acme", conversation_id, "notice")
    await js.publish(good, b'{"type": "notice", "n": 1}')
    await js.publish(good, b"not json at all")
    await js.publish(good, b"[1, 2, 3]")
    await js.publish(good, b'{"type": "notice", "n": 2}')

    events = await asyncio.wait_for(
        read_subject(js, CONV_STREAM, conversation_pattern(Channel.CONV, "acme", conversation_id)), 10
    )

    assert [e["n"] for e in events] == [1, 2]
    assert events[0]["seq"] < events[1]["seq"]
