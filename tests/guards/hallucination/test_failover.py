"""A guard replica dies mid-reply: the survivor takes its partitions over and flags what follows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import nats
import pytest
from faststream.nats import NatsBroker

from guards.grounding import GroundingMethod
from guards.hallucination.app import connect, create_broker
from guards.hallucination.service import HallucinationGuard
from guards.replicas import Leases, LeaseSettings
from shared.bus import emit
from shared.events import MessageFlagged
from shared.settings import Settings
from tests.guards.hallucination.test_connected import flags_of, producer  # noqa: F401 (fixture)
from tests.guards.replies import completed, created, rules, stream

pytestmark = pytest.mark.connected

FAST = LeaseSettings(partitions=4, ttl_s=1.0, renew_s=0.2)
BEFORE = "You can return unused items within 30 days of delivery. Sale items can be returned too. "
AFTER = "Refunds reach you within 60 days. Standard shipping takes two weeks."
TEXT = BEFORE + AFTER


async def until(condition: Callable[[], bool], *leases: Leases, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            rounds = [asyncio.ensure_future(lease.next_round()) for lease in leases]
            _, waiting = await asyncio.wait(rounds, return_when=asyncio.FIRST_COMPLETED)
            for task in waiting:
                task.cancel()


@pytest.fixture
async def two_guards(connected_settings: Settings) -> AsyncIterator[list[tuple[NatsBroker, HallucinationGuard]]]:
    replicas = []
    for _ in range(2):
        broker, guard = create_broker(connected_settings, method=GroundingMethod(), rules=rules())
        await connect(broker, guard, FAST)
        await broker.start()
        await broker.connection.flush()
        replicas.append((broker, guard))
    yield replicas
    for broker, guard in replicas:
        await guard.ownership.aclose()
        await guard.aclose()
        if not broker.connection.is_closed:  # crash() closed it already
            await broker.stop()


def leases(guard: HallucinationGuard) -> Leases:
    assert isinstance(guard.ownership, Leases)
    return guard.ownership


async def crash(broker: NatsBroker, guard: HallucinationGuard) -> None:
    """As kill -9 would: no more renewals, no lease released, the connection just gone."""
    own = leases(guard)
    own._closing = True
    assert own._task is not None
    own._task.cancel()
    await broker.connection.close()


async def test_survivor_flags_the_rest_of_a_dead_replicas_reply(
    two_guards: list[tuple[NatsBroker, HallucinationGuard]],
    nats_client: nats.NATS,
    producer: NatsBroker,  # noqa: F811
) -> None:
    (broker_a, a), (_, b) = two_guards
    await until(lambda: len(leases(a).mine) == 2 and len(leases(b).mine) == 2, leases(a), leases(b))
    conversation = next(c for c in (uuid.uuid4().hex for _ in range(1000)) if a.ownership.owns(c))
    flags = await flags_of(nats_client, conversation)
    message_id = f"{conversation}-m1"

    deltas = stream(conversation, message_id, TEXT)
    cut = next(i for i, d in enumerate(deltas) if d.offset >= len(BEFORE))
    await emit(producer, created(conversation, message_id))
    for delta in deltas[:cut]:
        await emit(producer, delta)
    first = await asyncio.wait_for(flags.get(), 10)
    assert first.sentence == "Sale items can be returned too."

    await crash(broker_a, a)
    for delta in deltas[cut:]:
        await emit(producer, delta)
    await emit(producer, completed(conversation, message_id, TEXT))
    got = [await asyncio.wait_for(flags.get(), 15) for _ in range(2)]
    expected = ["Refunds reach you within 60 days.", "Standard shipping takes two weeks."]
    assert sorted(f.sentence for f in got) == expected
    assert b.ownership.owns(conversation)

    # The next reply of that conversation is checked by the survivor as it streams.
    later = f"{conversation}-m2"
    await emit(producer, created(conversation, later))
    for delta in stream(conversation, later, AFTER):
        await emit(producer, delta)
    again: MessageFlagged = await asyncio.wait_for(flags.get(), 10)
    assert again.message_id == later

    # The takeover re-checked the whole first reply: its first flag was not delivered twice.
    await b.idle()
    await nats_client.flush()
    seen = [first, *got, again]
    while not flags.empty():
        seen.append(flags.get_nowait())
    ids = [f.id for f in seen]
    assert len(ids) == len(set(ids)), f"a flag was delivered twice: {ids}"
