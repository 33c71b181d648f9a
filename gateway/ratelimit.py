"""Per-socket flood control: a token bucket for frames, and a tolerance for dropped ones."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum


class TokenBucket:
    """``rate`` tokens a second up to ``burst``; ``take()`` is False when empty."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"Expected rate > 0 and burst >= 1, got rate={rate}, burst={burst}")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


class Verdict(Enum):
    ACCEPT = "accept"
    DROP = "drop"
    CLOSE = "close"


class FloodGuard:
    """Accept frames within the bucket, drop the rest; close once drops are sustained.

    Every dropped frame spends one unit of tolerance (``burst`` units, one regained a
    second), so a client that overshoots briefly recovers and one that keeps flooding is
    closed within seconds.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.frames = TokenBucket(rate, burst, clock)
        self.tolerance = TokenBucket(1.0, burst, clock)

    def check(self) -> Verdict:
        if self.frames.take():
            return Verdict.ACCEPT
        return Verdict.DROP if self.tolerance.take() else Verdict.CLOSE
