"""Which replica of a guard owns a conversation: partitions leased in a NATS KV bucket.

Token deltas ride core NATS, so every replica of the hallucination guard receives every
delta (a queue group would scatter one reply's deltas over replicas). Conversations are
hashed onto ``partitions`` fixed partitions; each partition is held by one replica through
a compare-and-set key in the ``sb_leases`` bucket whose value names the holder. A replica's
liveness is one member key with a per-message TTL: every ``renew_s`` a replica renews it,
reads the group's keys once, drops a partition another replica took, claims partitions that
are free or held by a member whose key is gone, up to its fair share
``ceil(partitions / live members)``, and releases the ones above it. A replica that dies
stops renewing: its member key expires after ``lease_ttl_s`` and the survivors take its
partitions over (compare-and-set on the key's revision) on their next round, so its
conversations are checked again within ``lease_ttl_s + renew_s`` seconds.

Partition keys carry no TTL: tying them to the member key means one renewal per round
instead of one per partition (the idle floor: 17 requests a second became 1).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
import zlib
from collections.abc import Callable

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BadRequestError, BucketNotFoundError, KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.aio import stop_tasks
from shared.bus import nats_replicas

log = logging.getLogger(__name__)

LEASES_BUCKET = "sb_leases"
Gained = Callable[[set[int]], None]


class LeaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SB_LEASE_", extra="ignore")

    partitions: int = Field(16, ge=1, le=1024, description="Partitions the work is hashed onto (max useful replicas).")
    ttl_s: float = Field(
        3.0, ge=1.0, description="A replica not renewed for this long is dead; others take its partitions."
    )
    renew_s: float = Field(1.0, gt=0, description="How often a replica renews its member key, claims and releases.")


def partition(conversation_id: str, partitions: int) -> int:
    """The partition of a conversation (stable across processes, unlike hash())."""
    return zlib.crc32(conversation_id.encode()) % partitions


class Ownership:
    """Owns every partition: one replica, or tests without a bus."""

    partitions = 1

    def owns(self, conversation_id: str) -> bool:
        return True

    async def start(self, on_gained: Gained | None = None) -> None:
        pass

    async def aclose(self) -> None:
        pass


async def open_leases_bucket(js: JetStreamContext) -> KeyValue:
    try:
        return await js.key_value(LEASES_BUCKET)
    except BucketNotFoundError:
        pass
    config = KeyValueConfig(
        bucket=LEASES_BUCKET,
        description="Partition leases and live members of partitioned services (guards.replicas).",
        history=1,
        storage=StorageType.FILE,
        replicas=nats_replicas(),
        limit_marker_ttl=1,  # per-key TTLs, and expiries visible as markers
    )
    try:
        return await js.create_key_value(config)
    except BadRequestError:
        return await js.key_value(LEASES_BUCKET)


class Leases(Ownership):
    """This replica's share of ``group``'s partitions, kept by leases in the ``sb_leases`` bucket."""

    def __init__(self, js: JetStreamContext, group: str, settings: LeaseSettings | None = None) -> None:
        self.js = js
        self.group = group
        self.settings = settings or LeaseSettings()
        self.partitions = self.settings.partitions
        self.member = uuid.uuid4().hex
        self.mine: dict[int, int] = {}  # partition -> revision of our lease
        self.kv: KeyValue | None = None
        self.on_gained: Gained | None = None
        self._member_rev = 0
        self._renewed = time.monotonic()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._round = asyncio.Event()

    def owns(self, conversation_id: str) -> bool:
        return partition(conversation_id, self.partitions) in self.mine

    def _key(self, p: int) -> str:
        return f"{self.group}.part.{p}"

    async def start(self, on_gained: Gained | None = None) -> None:
        """Open the bucket and run the first round (so a lone replica owns everything at once)."""
        self.on_gained = on_gained
        self.kv = await open_leases_bucket(self.js)
        await self.round()
        self._task = asyncio.create_task(self._loop(), name=f"leases-{self.group}")

    async def _loop(self) -> None:
        while not self._closing:
            await asyncio.sleep(self.settings.renew_s)
            try:
                await self.round()
                self._round_done()
            except Exception as exc:
                self._round_done()  # NATS away or a leader election: try again next round
                log.warning("lease round of %s failed: %s", self.group, exc)
                if time.monotonic() - self._renewed > self.settings.ttl_s and self.mine:
                    log.warning("leases of %s not renewed for %.0fs: dropping them", self.group, self.settings.ttl_s)
                    self.mine.clear()

    async def next_round(self) -> None:
        """Wait until the next lease round has finished (or failed)."""
        await self._round.wait()

    def _round_done(self) -> None:
        self._round.set()
        self._round = asyncio.Event()

    async def _snapshot(self) -> dict[str, tuple[bytes, int]]:
        """Every live key of the group: key -> (value, revision)."""
        assert self.kv is not None
        watcher = await self.kv.watch(f"{self.group}.>", ignore_deletes=True)
        found: dict[str, tuple[bytes, int]] = {}
        try:
            async for entry in watcher:
                if entry is None:
                    break
                found[entry.key] = (entry.value or b"", entry.revision or 0)
        finally:
            await watcher.stop()
        return found

    async def _cas(self, key: str, revision: int, ttl: bool = True) -> int | None:
        """Create (revision 0) or update our key at ``revision``; None if someone else got there first.

        ``ttl``: the key expires unless renewed (the member key); partition keys do not.
        """
        assert self.kv is not None
        msg_ttl = self.settings.ttl_s if ttl else None
        try:
            if revision:
                return await self.kv._update(key, self.member.encode(), last=revision, msg_ttl=msg_ttl)
            return await self.kv.create(key, self.member.encode(), msg_ttl=msg_ttl)
        except KeyWrongLastSequenceError:
            pass
        if revision:
            return None
        # An expired key leaves a server marker (Nats-Marker-Reason) until the marker's own
        # TTL runs out; create() only sees through delete markers, so take it over here.
        try:
            raw = await self.js.get_msg(
                f"KV_{LEASES_BUCKET}", subject=f"$KV.{LEASES_BUCKET}.{key}", direct=self.kv._direct
            )
        except NotFoundError:
            return None
        if not raw.headers or "Nats-Marker-Reason" not in raw.headers:
            return None
        try:
            return await self.kv._update(key, self.member.encode(), last=raw.seq, msg_ttl=msg_ttl)
        except KeyWrongLastSequenceError:
            return None

    async def round(self) -> None:
        """Renew our member key; keep, claim (free or a dead member's) up to our fair share, release above it."""
        member_prefix = f"{self.group}.member."
        member_key = member_prefix + self.member
        self._member_rev = await self._cas(member_key, self._member_rev) or await self._cas(member_key, 0) or 0
        if self._member_rev:
            self._renewed = time.monotonic()
        live = await self._snapshot()
        # An expired key shows as an empty marker until the marker expires too: not a member.
        members = {
            k.removeprefix(member_prefix) for k, (value, _) in live.items() if k.startswith(member_prefix) and value
        }
        members.add(self.member)
        for p, rev in list(self.mine.items()):
            if live.get(self._key(p)) != (self.member.encode(), rev):
                del self.mine[p]  # taken over while we were away (or released): no longer ours
        share = math.ceil(self.partitions / len(members))
        while len(self.mine) > share:
            p = max(self.mine)
            await self._release(p, self.mine.pop(p))
        gained: set[int] = set()
        start = zlib.crc32(self.member.encode()) % self.partitions  # spread the first claims
        for i in range(self.partitions):
            if len(self.mine) >= share:
                break
            p = (start + i) % self.partitions
            if p in self.mine:
                continue
            holder, revision = live.get(self._key(p), (b"", 0))
            if holder and holder.decode() in members:
                continue  # a live member holds it
            # Free (never held, released, or a marker: revision 0 sees through those) or a dead member's.
            claimed = await self._cas(self._key(p), revision if holder else 0, ttl=False)
            if claimed is not None:
                self.mine[p] = claimed
                gained.add(p)
        if gained:
            log.info(
                "%s %s claimed partitions %s (%d members)", self.group, self.member[:8], sorted(gained), len(members)
            )
            if self.on_gained is not None:
                self.on_gained(gained)

    async def _release(self, p: int, revision: int) -> None:
        assert self.kv is not None
        with contextlib.suppress(KeyWrongLastSequenceError):
            await self.kv.delete(self._key(p), last=revision)

    async def aclose(self) -> None:
        """Stop renewing and hand every partition back at once (a clean shutdown)."""
        self._closing = True
        await stop_tasks(self._task)
        if self.kv is None:
            return
        try:
            for p, rev in list(self.mine.items()):
                await self._release(p, rev)
            if self._member_rev:
                await self.kv.delete(f"{self.group}.member.{self.member}", last=self._member_rev)
        except Exception as exc:  # the leases expire on their own
            log.warning("releasing the leases of %s failed: %s", self.group, exc)
        self.mine.clear()
