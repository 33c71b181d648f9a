"""Partition leases on a real nats-server: one owner per partition, shared fairly, taken over on death."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import nats
import pytest

from guards.replicas import Leases, LeaseSettings, Ownership, partition

FAST = LeaseSettings(partitions=8, ttl_s=1.0, renew_s=0.2)


def test_partitions_are_stable_and_spread() -> None:
    conversations = [uuid.uuid4().hex for _ in range(800)]
    assert [partition(c, 8) for c in conversations] == [partition(c, 8) for c in conversations]
    load = [sum(partition(c, 8) == p for c in conversations) for p in range(8)]
    assert min(load) > 50  # roughly even, not all on one partition


def test_without_a_bus_one_replica_owns_everything() -> None:
    assert Ownership().owns(uuid.uuid4().hex)


async def until(condition: Callable[[], bool], *leases: Leases, timeout: float = 10.0) -> None:
    """Wait, round after round of ``leases``, until a state is reached; fail after ``timeout``."""
    async with asyncio.timeout(timeout):
        while not condition():
            rounds = [asyncio.ensure_future(lease.next_round()) for lease in leases]
            _, waiting = await asyncio.wait(rounds, return_when=asyncio.FIRST_COMPLETED)
            for task in waiting:
                task.cancel()


@pytest.mark.connected
async def test_replicas_split_the_partitions_and_take_over_a_dead_ones(nats_client: nats.NATS) -> None:
    group = f"test-{uuid.uuid4().hex[:8]}"
    js = nats_client.jetstream()
    gained: list[set[int]] = []
    a, b = Leases(js, group, FAST), Leases(js, group, FAST)
    await a.start()
    assert set(a.mine) == set(range(8)), "a lone replica owns every partition after its first round"
    await b.start(gained.append)
    try:
        await until(lambda: len(a.mine) == 4 and len(b.mine) == 4, a, b)
        assert set(a.mine) | set(b.mine) == set(range(8))
        assert not set(a.mine) & set(b.mine)
        held_by_a = set(a.mine)

        # a dies: no more renewals, no release (as after kill -9).
        a._closing = True
        assert a._task is not None
        a._task.cancel()
        await until(lambda: len(b.mine) == 8, b)
        assert held_by_a <= set().union(*gained), "b was told which partitions it took over"
    finally:
        await b.aclose()
    # A clean shutdown hands the partitions back at once: a newcomer owns all in its first round.
    c = Leases(js, group, FAST)
    await c.start()
    try:
        assert set(c.mine) == set(range(8))
    finally:
        await c.aclose()


@pytest.mark.connected
async def test_a_replica_back_from_a_stall_drops_what_was_taken_over_and_shares_again(nats_client: nats.NATS) -> None:
    group = f"test-{uuid.uuid4().hex[:8]}"
    js = nats_client.jetstream()
    a, b = Leases(js, group, FAST), Leases(js, group, FAST)
    await a.start()
    await b.start()
    try:
        await until(lambda: len(a.mine) == 4 and len(b.mine) == 4, a, b)
        # a stalls past its member key's TTL: b takes every partition over.
        assert a._task is not None
        a._task.cancel()
        await until(lambda: len(b.mine) == 8, b)
        # a comes back: its next round sees b's names on its old keys and keeps none of them.
        held = dict(a.mine)
        await a.round()
        assert not set(a.mine) & set(b.mine), f"two owners: a {sorted(a.mine)} (had {sorted(held)}), b {sorted(b.mine)}"
        a._task = asyncio.create_task(a._loop())
        await until(lambda: len(a.mine) == 4 and len(b.mine) == 4, a, b)
        assert set(a.mine) | set(b.mine) == set(range(8))
    finally:
        await a.aclose()
        await b.aclose()
