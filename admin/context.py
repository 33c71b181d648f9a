"""What the admin API needs from the service it is mounted on: the database, the tenants bucket, the keys."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from nats.js.kv import KeyValue


@dataclass(frozen=True)
class Admin:
    sessions: async_sessionmaker[AsyncSession]
    kv: KeyValue  # sb_tenants
    agents_kv: KeyValue  # sb_agents
    keys: dict[str, str]  # secret -> key id
    refuse_demo_secrets: bool = False  # production: the shipped demo credentials are public
    knowledge_kv: KeyValue | None = None  # sb_knowledge: uploads changed (shared.knowledge.uploads)
    knowledge_max_bytes: int = 10 * 1024 * 1024  # ADMIN_KNOWLEDGE_MAX_BYTES
    tasks: set[asyncio.Task[None]] = field(default_factory=set)  # documents being indexed here


def get_admin(conn: HTTPConnection) -> Admin:
    return conn.state.admin


AdminDep = Annotated[Admin, Depends(get_admin)]
