import pytest

from gateway.ratelimit import FloodGuard, TokenBucket, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_burst_then_refills_at_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now = 0.5  # one token back at 2/s
    assert [bucket.take() for _ in range(2)] == [True, False]
    clock.now = 100.0  # refill caps at the burst
    assert sum(bucket.take() for _ in range(10)) == 3


def test_bucket_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="rate > 0"):
        TokenBucket(rate=0, burst=1)


def test_flood_guard_drops_then_closes_on_sustained_flood() -> None:
    clock = Clock()
    guard = FloodGuard(rate=1.0, burst=3, clock=clock)
    verdicts = [guard.check() for _ in range(7)]
    assert verdicts == [Verdict.ACCEPT] * 3 + [Verdict.DROP] * 3 + [Verdict.CLOSE]


def test_flood_guard_forgives_a_brief_overshoot() -> None:
    clock = Clock()
    guard = FloodGuard(rate=1.0, burst=3, clock=clock)
    assert [guard.check() for _ in range(5)][-1] is Verdict.DROP
    clock.now = 10.0
    assert [guard.check() for _ in range(5)] == [Verdict.ACCEPT] * 3 + [Verdict.DROP] * 2
