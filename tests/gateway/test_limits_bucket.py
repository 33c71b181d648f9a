"""The KV token bucket on its own: refill over the window, and an empty bucket refused without a KV trip."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import nats
import pytest

from gateway import limits as limits_module
from gateway.limits import Limited, SharedLimits, _key, _leases

pytestmark = pytest.mark.connected


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class CountingKV:
    """The real KV, counting the round trips made through it."""

    def __init__(self, kv: Any) -> None:
        self.kv = kv
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.kv, name)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return await method(*args, **kwargs)

        return counted


async def test_a_bucket_refills_evenly_and_an_empty_one_is_refused_locally(nats_client: nats.NATS) -> None:
    opened = await SharedLimits.open(nats_client)
    kv, clock = CountingKV(opened.kv), Clock()
    limits = SharedLimits(kv, clock=clock)  # type: ignore[arg-type]
    scope = uuid.uuid4().hex
    for _ in range(2):
        await limits.take("test", scope, count=2, window_s=60)
    with pytest.raises(Limited) as info:
        await limits.take("test", scope, count=2, window_s=60)
    assert info.value.retry_after == pytest.approx(30)
    calls = kv.calls
    clock.now += 29
    with pytest.raises(Limited):
        await limits.take("test", scope, count=2, window_s=60)
    assert kv.calls == calls  # known empty until a token can have come back: no KV round trip
    clock.now += 1
    await limits.take("test", scope, count=2, window_s=60)  # one token refilled
    with pytest.raises(Limited):
        await limits.take("test", scope, count=2, window_s=60)
    # A second replica sees the same bucket.
    other = SharedLimits(opened.kv, clock=clock)
    with pytest.raises(Limited):
        await other.take("test", scope, count=2, window_s=60)


async def test_concurrent_requests_of_one_replica_are_not_refused_for_contention(nats_client: nats.NATS) -> None:
    """Thirty sessions at once from one address (an office behind one NAT), far under the limit: all pass.

    They queue on the key inside the replica instead of racing each other's compare-and-set
    until the attempts run out (which refused them with 429 although tokens were left).
    """
    limits = await SharedLimits.open(nats_client)
    scope = uuid.uuid4().hex
    results = await asyncio.gather(
        *(limits.take("test", scope, count=300, window_s=60) for _ in range(30)), return_exceptions=True
    )
    assert [r for r in results if r is not None] == []


async def test_concurrent_sockets_from_one_address_hold_and_give_back_their_leases(nats_client: nats.NATS) -> None:
    """Fifty sockets opening at once from one address, under its limit: every lease is granted, every release works."""
    limits = await SharedLimits.open(nats_client)
    scope = uuid.uuid4().hex
    held = await asyncio.gather(
        *(limits.hold("test_open", scope, f"s{n}", most=200) for n in range(50)), return_exceptions=True
    )
    assert [r for r in held if r is not None] == []
    entry = await limits.kv.get(_key("test_open", scope))
    assert len(_leases(entry.value)) == 50
    await asyncio.gather(*(limits.release("test_open", scope, f"s{n}") for n in range(50)))
    entry = await limits.kv.get(_key("test_open", scope))
    assert _leases(entry.value) == {}


class HangingKV:
    """A KV that never answers (a NATS leader election as the client sees it)."""

    def __getattr__(self, name: str) -> Any:
        async def hang(*args: Any, **kwargs: Any) -> Any:
            await asyncio.Event().wait()

        return hang


async def test_a_slow_kv_does_not_queue_a_hot_keys_users_behind_each_other(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty sockets from one address while the KV hangs: each gives up on the limit, none waits for the others."""
    monkeypatch.setattr(limits_module, "QUEUE_WAIT_S", 0.2)
    monkeypatch.setattr(limits_module, "CHANGE_WAIT_S", 0.2)
    shared = SharedLimits(HangingKV())  # type: ignore[arg-type]
    scope = uuid.uuid4().hex
    # Unbounded, the twentieth would wait for nineteen hanging changes before its own.
    opened = asyncio.gather(*(shared.hold("open_sockets_ip", scope, f"s{n}", most=200) for n in range(20)))
    assert await asyncio.wait_for(opened, timeout=10) == [None] * 20  # not applied, not refused
