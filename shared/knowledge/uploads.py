"""Uploaded documents in every orchestrator's index, within seconds and without a restart.

The admin API stores each upload's markdown in the database (``knowledge_documents``), then writes
the tenant's key in the KV bucket ``sb_knowledge``. Every orchestrator follows the bucket
(``KnowledgeSync``): on a change it rebuilds that tenant's index in the background (its
``knowledge_base`` directory plus every ready uploaded document, read from the database) and swaps
it in when done; questions meanwhile use the previous index. ``tenant_knowledge(tenant)`` is the
index to answer from: the rebuilt one if the tenant has uploads, else its directory's.

The bucket's value carries no data: a follower always reads the database's current documents, so
changes published out of order, or twice, converge on the same index.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from shared.aio import stop_tasks
from shared.config_bucket import BucketFollower, open_config_bucket
from shared.knowledge.index import Document, KnowledgeBase, knowledge_base
from shared.subjects import KNOWLEDGE_BUCKET

if TYPE_CHECKING:
    from nats.js import JetStreamContext
    from nats.js.kv import KeyValue
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from shared.tenants import Tenant, TenantDirectory

log = logging.getLogger(__name__)


@dataclass
class TenantIndex:
    """A tenant's index with uploads: built from its directory (as it was then) and these documents."""

    kb: KnowledgeBase
    directory: Path | None
    documents: list[int] = field(default_factory=list)  # ids of the uploaded documents in it


# tenant id -> its index with uploaded documents (absent: the directory's index alone).
INDEXES: dict[str, TenantIndex] = {}


def tenant_knowledge(tenant: Tenant) -> KnowledgeBase:
    """The index ``tenant``'s questions are answered from."""
    index = INDEXES.get(tenant.id)
    if index is None or index.directory != tenant.knowledge_base:
        return knowledge_base(tenant.knowledge_base)
    return index.kb


async def open_knowledge_bucket(js: JetStreamContext) -> KeyValue:
    return await open_config_bucket(js, KNOWLEDGE_BUCKET, "Per tenant: its uploaded knowledge documents changed.")


async def publish_knowledge(kv: KeyValue, tenant_id: str) -> None:
    """Tell every orchestrator to rebuild ``tenant_id``'s index from the database."""
    await kv.put(tenant_id, json.dumps({"changed": time.time()}).encode())


def doc_key(document_id: int, filename: str) -> str:
    """The passages' id stem: the file's name (its topic for the offline answerer) and the row id."""
    stem = Path(filename).stem.strip() or "document"
    return f"{stem}-{document_id}"


def build(directory: Path | None, uploads: list[tuple[int, str, str]]) -> KnowledgeBase:
    """The directory's index plus ``uploads`` (id, filename, markdown): CPU work, run it in a thread."""
    base = knowledge_base(directory)
    documents = [Document.of(doc_key(doc_id, filename), markdown) for doc_id, filename, markdown in uploads]
    passages = [p for d in documents for p in d.passages]
    langs = [d.lang for d in documents for _ in d.passages]
    return KnowledgeBase([*base.passages, *passages], [*base.langs, *langs])


async def ready_documents(sessions: async_sessionmaker[AsyncSession], tenant_id: str) -> list[tuple[int, str, str]]:
    from shared.db.knowledge import KnowledgeDocument

    async with sessions() as session:
        rows = await session.execute(
            select(KnowledgeDocument.id, KnowledgeDocument.filename, KnowledgeDocument.markdown)
            .where(KnowledgeDocument.tenant_id == tenant_id, KnowledgeDocument.status == "ready")
            .order_by(KnowledgeDocument.id)
        )
        return [(r.id, r.filename, r.markdown) for r in rows]


class KnowledgeSync(BucketFollower):
    """Follows ``sb_knowledge``: each changed tenant's index rebuilt in the background, then swapped in."""

    name = "knowledge-sync"

    def __init__(self, kv: KeyValue, tenants: TenantDirectory, database_url: str) -> None:
        super().__init__(kv)
        self.tenants = tenants
        self.database_url = database_url
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._pending: set[str] = set()
        self._builders: dict[str, asyncio.Task[None]] = {}
        self.rebuilt = asyncio.Event()  # set (and replaced) after each swap: tests wait on it

    @classmethod
    async def follow(cls, js: JetStreamContext, tenants: TenantDirectory, database_url: str) -> KnowledgeSync:
        sync = cls(await open_knowledge_bucket(js), tenants, database_url)
        await sync.start()
        return sync

    def apply(self, key: str, value: bytes | None) -> None:
        self._pending.add(key)
        if key not in self._builders:
            self._builders[key] = asyncio.create_task(self._rebuild(key), name=f"knowledge-rebuild-{key}")

    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """The database, connected on the first upload (a replica without uploads never opens it)."""
        if self._sessions is None:
            from shared.db.engine import make_engine, make_sessionmaker

            self._engine = make_engine(self.database_url)
            self._sessions = make_sessionmaker(self._engine)
        return self._sessions

    async def _rebuild(self, tenant_id: str) -> None:
        try:
            while tenant_id in self._pending:  # changes during a rebuild: once more, from the newest rows
                self._pending.discard(tenant_id)
                try:
                    await self._rebuild_once(tenant_id)
                except Exception:
                    log.exception("rebuilding the knowledge index of %s failed; the previous one stays", tenant_id)
        finally:
            self._builders.pop(tenant_id, None)

    async def _rebuild_once(self, tenant_id: str) -> None:
        tenant = self.tenants.by_id(tenant_id)
        directory = tenant.knowledge_base if tenant is not None else None
        uploads = await ready_documents(self.sessions(), tenant_id)
        if not uploads:
            INDEXES.pop(tenant_id, None)
        else:
            kb = await asyncio.to_thread(build, directory, uploads)
            INDEXES[tenant_id] = TenantIndex(kb, directory, [u[0] for u in uploads])
        log.info("knowledge index of %s rebuilt: %d uploaded documents", tenant_id, len(uploads))
        self.rebuilt.set()
        self.rebuilt = asyncio.Event()

    async def wait_for(self, tenant_id: str, documents: set[int], timeout: float = 10.0) -> float:
        """Wait until the tenant's index holds exactly these uploaded documents; the seconds it took."""

        def holds() -> bool:
            index = INDEXES.get(tenant_id)
            return set(index.documents if index else ()) == documents and tenant_id not in self._builders

        started = time.perf_counter()
        async with asyncio.timeout(timeout):
            while not holds():
                await self.rebuilt.wait()
        return time.perf_counter() - started

    async def stop(self) -> None:
        await super().stop()
        await stop_tasks(*self._builders.values())
        if self._engine is not None:
            await self._engine.dispose()
