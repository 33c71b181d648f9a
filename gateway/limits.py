"""Abuse limits shared by every gateway replica: token buckets kept in a NATS KV bucket.

Each limit is "``count`` per ``window_s``": a bucket of ``count`` tokens refilled evenly over the
window, so there is no window edge to burst across. A bucket is one KV key holding
``{"tokens", "at"}``, changed only by compare-and-set on its revision, so two replicas never
both spend the last token. Keys expire from the KV bucket after ``MAX_WINDOW_S`` idle (a full
bucket is the same as no key).

Hot path: a replica remembers each key's last value and revision, so taking a token is one
KV round trip when no other replica wrote in between (a retry when one did); and a bucket it
saw empty is refused locally until it can have refilled a token, since other replicas only
ever take tokens away.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from shared.bus import nats_replicas
from shared.tenants import MAX_WINDOW_S, Limits

log = logging.getLogger(__name__)

BUCKET = "SB_LIMITS"
ATTEMPTS = 8
LEASE_S = 60.0  # an open socket's lease; renewed every third of it
QUEUE_WAIT_S = 2.0  # longest wait for a key's turn inside a replica
CHANGE_WAIT_S = 2.0  # longest one change of a key may take, all its attempts
_LOCAL_MAX = 50_000  # remembered keys per replica before the cache is cleared


class Limited(Exception):
    """Over a limit; ``retry_after`` seconds until the next token."""

    def __init__(self, what: str, retry_after: float) -> None:
        super().__init__(f"over the {what} limit; retry after {retry_after:.1f} s")
        self.what = what
        self.retry_after = retry_after

    @property
    def retry_after_s(self) -> int:
        return max(1, math.ceil(self.retry_after))


@dataclass(slots=True)
class _Known:
    tokens: float
    at: float
    revision: int | None  # None: the key did not exist


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class SharedLimits:
    def __init__(
        self, kv: KeyValue, clock: Callable[[], float] = time.time, connected: Callable[[], bool] = lambda: True
    ) -> None:
        self.kv = kv
        self._clock = clock
        self._connected = connected
        self._known: dict[str, _Known] = {}
        self._empty_until: dict[str, float] = {}
        # Takes of one key queue inside a replica: racing each other's compare-and-set they
        # would spend the attempts and refuse requests that had tokens left.
        self._turns: dict[str, _Turn] = {}

    @classmethod
    async def open(cls, nc: Client) -> SharedLimits:
        js = nc.jetstream()
        try:
            kv = await js.key_value(BUCKET)
        except BucketNotFoundError:
            kv = await js.create_key_value(
                bucket=BUCKET, history=1, ttl=MAX_WINDOW_S, description="Abuse limits", replicas=nats_replicas()
            )
        return cls(kv, connected=lambda: nc.is_connected)

    async def take(self, kind: str, scope: str, count: int, window_s: float) -> None:
        """Spend one token of ``kind`` for ``scope`` (at most ``count`` per ``window_s``), or raise Limited.

        With the KV unreachable the limit is not applied (a warning is logged): the chat must
        not stop with it, and the per-socket frame rate still holds.
        """
        key = _key(kind, scope)
        await self._apply(kind, key, lambda: self._take(key, kind, count, window_s))

    async def _apply(self, kind: str, key: str, change: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``change`` of ``key``, one at a time per key inside this replica (see ``_turns``).

        Bounded both ways: a change waits at most QUEUE_WAIT_S for its turn and takes at most
        CHANGE_WAIT_S, else the limit is not applied (a warning): while the KV is slow (a NATS
        leader election) a hot key's queue must not hold sockets and messages for minutes.
        """
        if not self._connected():
            # Not even a round trip: what follows (a publish) fails fast and says so itself.
            log.warning("limit %s not applied: NATS is disconnected", kind)
            return
        turn = self._turns.setdefault(key, _Turn())
        turn.users += 1
        try:
            try:
                async with asyncio.timeout(QUEUE_WAIT_S):
                    await turn.lock.acquire()
            except TimeoutError:
                log.warning("limit %s not applied: the KV is slow and its key busy", kind)
                return
            try:
                async with asyncio.timeout(CHANGE_WAIT_S):
                    await change()
            except (nats.errors.Error, nats.js.errors.Error, TimeoutError) as exc:
                log.warning("limit %s not applied: the KV bucket is unreachable (%s)", kind, type(exc).__name__)
            finally:
                turn.lock.release()
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[key]

    async def _take(self, key: str, kind: str, count: int, window_s: float) -> None:
        rate = count / window_s
        now = self._clock()
        if (until := self._empty_until.get(key)) is not None:
            if now < until:
                raise Limited(kind, until - now)
            del self._empty_until[key]
        if len(self._known) > _LOCAL_MAX:
            self._known.clear()
            self._empty_until.clear()
        known = self._known.get(key)
        for _ in range(ATTEMPTS):
            if known is None:
                known = await self._read(key, count)
            now = self._clock()
            tokens = min(count, known.tokens + max(0.0, now - known.at) * rate)
            if tokens < 1:
                wait = (1 - tokens) / rate
                self._empty_until[key] = now + wait
                self._known[key] = known
                raise Limited(kind, wait)
            value = json.dumps({"tokens": tokens - 1, "at": now}).encode()
            try:
                if known.revision is None:
                    revision = await self.kv.create(key, value)
                else:
                    revision = await self.kv.update(key, value, last=known.revision)
            except KeyWrongLastSequenceError:
                known = None  # another replica spent a token meanwhile: read and try again
                continue
            self._known[key] = _Known(tokens - 1, now, revision)
            return
        raise Limited(kind, 1 / rate)  # contended beyond reason: refuse rather than overspend

    async def _read(self, key: str, count: int) -> _Known:
        try:
            entry = await self.kv.get(key)
        except KeyNotFoundError:
            return _Known(float(count), self._clock(), None)
        try:
            data = json.loads(entry.value or b"{}")
            return _Known(float(data["tokens"]), float(data["at"]), entry.revision)
        except (ValueError, KeyError, TypeError):
            return _Known(float(count), self._clock(), entry.revision)  # unreadable: start full, overwrite it

    # Open sockets: a set of leases per conversation, each renewed while its socket is open (a
    # replica that dies leaves its leases to expire after LEASE_S).

    async def hold(self, kind: str, scope: str, holder: str, most: int) -> None:
        """Take or renew ``holder``'s lease in ``scope``; Limited if ``most`` others hold live leases."""

        def with_holder(held: dict[str, float]) -> dict[str, float]:
            now = self._clock()
            live = {h: until for h, until in held.items() if until > now}
            if holder not in live and len(live) >= most:
                raise Limited(kind, min(live.values()) - now)
            return {**live, holder: now + LEASE_S}

        key = _key(kind, scope)
        await self._apply(kind, key, lambda: self._change(key, kind, with_holder))

    async def release(self, kind: str, scope: str, holder: str) -> None:
        """Give ``holder``'s lease back; never raises (a lease left behind expires after LEASE_S)."""

        def without_holder(held: dict[str, float]) -> dict[str, float]:
            return {h: until for h, until in held.items() if h != holder}

        key = _key(kind, scope)
        try:
            await self._apply(kind, key, lambda: self._change(key, kind, without_holder))
        except Limited:
            log.warning("could not give back a %s lease now; it expires within %.0f s", kind, LEASE_S)

    async def _change(self, key: str, kind: str, change: Callable[[dict[str, float]], dict[str, float]]) -> None:
        for _ in range(ATTEMPTS):
            try:
                entry = await self.kv.get(key)
                held, revision = _leases(entry.value), entry.revision
            except KeyNotFoundError:
                held, revision = {}, None
            value = json.dumps(change(held)).encode()
            try:
                if revision is None:
                    await self.kv.create(key, value)
                else:
                    await self.kv.update(key, value, last=revision)
            except KeyWrongLastSequenceError:
                continue
            return
        raise Limited(kind, 1.0)

    # The limits the gateway applies, by what is being done.

    async def open_socket(
        self, limits: Limits, tenant_id: str, conversation_id: str, socket_id: str, ip: str = ""
    ) -> None:
        """Count a socket opening and hold its leases (conversation, client address); Limited when over a limit."""
        scope = f"{tenant_id}\x00{conversation_id}"
        await self.take("socket_conversation", scope, limits.sockets_per_conversation, limits.window_s)
        await self.hold("open_sockets", scope, socket_id, limits.open_sockets_per_conversation)
        if ip:
            await self.hold("open_sockets_ip", f"{tenant_id}\x00{ip}", socket_id, limits.open_sockets_per_ip)

    async def keep_socket(
        self, limits: Limits, tenant_id: str, conversation_id: str, socket_id: str, ip: str = ""
    ) -> None:
        """Renew the socket's leases until cancelled (when the socket closes)."""
        scope = f"{tenant_id}\x00{conversation_id}"
        while True:
            await asyncio.sleep(LEASE_S / 3)  # a timer, not a wait for an event
            with contextlib.suppress(Limited):
                await self.hold("open_sockets", scope, socket_id, limits.open_sockets_per_conversation)
            if ip:
                with contextlib.suppress(Limited):
                    await self.hold("open_sockets_ip", f"{tenant_id}\x00{ip}", socket_id, limits.open_sockets_per_ip)

    async def close_socket(self, tenant_id: str, conversation_id: str, socket_id: str, ip: str = "") -> None:
        await self.release("open_sockets", f"{tenant_id}\x00{conversation_id}", socket_id)
        if ip:
            await self.release("open_sockets_ip", f"{tenant_id}\x00{ip}", socket_id)

    async def session(self, limits: Limits, tenant_id: str, ip: str) -> None:
        await self.take("session_ip", f"{tenant_id}\x00{ip}", limits.sessions_per_ip, limits.window_s)
        await self.take("session_tenant", tenant_id, limits.sessions_per_tenant, limits.window_s)

    async def message(self, limits: Limits, tenant_id: str, conversation_id: str, visitor_id: str) -> None:
        conversation = f"{tenant_id}\x00{conversation_id}"
        # Both at once: one round trip of latency, not two. Over either refuses the frame.
        results = await asyncio.gather(
            self.take("message_conversation", conversation, limits.messages_per_conversation, limits.window_s),
            self.take("message_visitor", f"{tenant_id}\x00{visitor_id}", limits.messages_per_visitor, limits.window_s),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result


def _key(kind: str, scope: str) -> str:
    return f"{kind}.{hashlib.sha256(scope.encode()).hexdigest()[:32]}"


def _leases(value: bytes | None) -> dict[str, float]:
    try:
        data = json.loads(value or b"{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(h): float(u) for h, u in data.items() if isinstance(u, int | float)}
