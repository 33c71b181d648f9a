"""What the admin API needs from the service it is mounted on: the database, the tenants bucket, the keys."""

from __future__ import annotations

from dataclasses import dataclass
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


def get_admin(conn: HTTPConnection) -> Admin:
    return conn.state.admin


AdminDep = Annotated[Admin, Depends(get_admin)]
