"""What the workers' handlers share: database sessions, tenants, the HTTP client, the summarizer, policies."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.workers.llm import Summarizer
from orchestrator.workers.summaries import DigestPolicy
from orchestrator.workers.webhooks import WebhookPolicy
from shared.tenant_sync import TenantSync
from shared.tenants import TenantDirectory


@dataclass
class Workers:
    sessions: async_sessionmaker[AsyncSession]
    tenants: TenantDirectory
    http: httpx.AsyncClient
    summarize: Summarizer
    policy: WebhookPolicy
    digest: DigestPolicy = field(default_factory=DigestPolicy)
    js: JetStreamContext | None = None  # set once connected
    tenant_sync: TenantSync | None = None  # keeps ``tenants`` current once connected

    @property
    def jetstream(self) -> JetStreamContext:
        if self.js is None:
            raise RuntimeError("Expected the workers to be connected to NATS before handling tasks, got no JetStream")
        return self.js
