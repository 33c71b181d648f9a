"""Agent accounts through the admin API: invite (a new account and its token), change, disable, new token.

Tokens are generated here, returned once, and stored only as their sha256 (as in the agents file).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from admin.changes import Conflict, NotFound, audit_row
from admin.context import Admin
from handoff.agent_sync import publish_agent
from handoff.agents import AgentAccount, hash_token
from shared.db.agents import AgentRow
from shared.db.base import utcnow
from shared.db.tenants import TenantRow


def new_token() -> str:
    return "sba_" + secrets.token_urlsafe(32)


async def agents_of(admin: Admin, tenant_id: str) -> list[AgentRow]:
    async with admin.sessions() as session:
        rows = await session.scalars(select(AgentRow).where(AgentRow.tenant_id == tenant_id).order_by(AgentRow.id))
        return list(rows)


async def invite(admin: Admin, key_id: str, fields: dict[str, Any]) -> tuple[AgentRow, str]:
    """A new account (``fields``: AgentAccount without the token); the row and the token, shown once."""
    token = new_token()
    account = AgentAccount.model_validate({**fields, "token_sha256": hash_token(token)})
    async with admin.sessions() as session, session.begin():
        tenant = await session.get(TenantRow, account.tenant_id)
        if tenant is None or tenant.config is None:
            raise NotFound(f"Expected a known tenant id, got {account.tenant_id!r}")
        if await session.get(AgentRow, (account.tenant_id, account.id)) is not None:
            raise Conflict(f"Expected a new agent id, got {account.id!r} which exists in {account.tenant_id!r}")
        row = AgentRow(tenant_id=account.tenant_id, id=account.id)
        session.add(row)
        _store(session, row, key_id, "agent.invite", None, account)
    await publish_agent(admin.agents_kv, account, row.version)
    return row, token


async def change(
    admin: Admin,
    key_id: str,
    tenant_id: str,
    agent_id: str,
    action: str,
    edit: Callable[[dict[str, Any]], dict[str, Any]],
) -> tuple[AgentRow, AgentAccount]:
    try:
        async with admin.sessions() as session, session.begin():
            row = await session.get(AgentRow, (tenant_id, agent_id))
            if row is None:
                raise NotFound(f"Expected a known agent of {tenant_id!r}, got {agent_id!r}")
            before = row.config
            account = AgentAccount.model_validate({**edit(dict(before)), "tenant_id": tenant_id, "id": agent_id})
            _store(session, row, key_id, action, before, account)
    except StaleDataError as exc:
        raise Conflict(f"Agent {agent_id!r} was changed meanwhile; read it again and retry") from exc
    await publish_agent(admin.agents_kv, account, row.version)
    return row, account


def _store(
    session: Any, row: AgentRow, key_id: str, action: str, before: dict[str, Any] | None, account: AgentAccount
) -> None:
    after = account.model_dump(mode="json")
    row.config, row.disabled, row.source, row.updated_at = after, account.disabled, "admin", utcnow()
    session.add(audit_row(key_id, action, account.tenant_id, before, after, agent_id=account.id))
