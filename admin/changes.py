"""Changing a tenant: validate, store with its audit row in one transaction, then publish to every service.

Rows are versioned (SQLAlchemy's version counter): two admins changing one tenant at once, the later
commit is refused (409) rather than silently undoing the first.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from admin.context import Admin
from shared.db.audit import AdminAudit
from shared.db.base import utcnow
from shared.db.tenants import TenantRow
from shared.demo import demo_secrets_in_tenants
from shared.tenant_sync import publish_tenant
from shared.tenants import Tenant

SECRET_FIELDS = frozenset({"identity_secret", "webhook_secret", "secret", "api_keys", "token_sha256"})
MASK = "***"


class NotFound(Exception):
    pass


class Conflict(Exception):
    pass


class Refused(ValueError):
    """A valid configuration the admin API still does not store (422)."""


class DemoSecret(Refused):
    """A configuration using a credential of the shipped demo files, in production (they are public)."""


# Paths of files on the servers: an HTTP API never chooses which server file a widget may read.
SERVER_PATHS = ("knowledge_base", "catalog")


def _refuse_server_paths(before: dict[str, Any] | None, tenant: Tenant) -> None:
    after = config_of(tenant)
    for field in SERVER_PATHS:
        if after.get(field) != (before or {}).get(field):
            raise Refused(f"Expected no change to {field!r}: server file paths are set in the tenants file only")


def _refuse_demo_secrets(admin: Admin, tenant: Tenant) -> None:
    if admin.refuse_demo_secrets:
        problems = demo_secrets_in_tenants({"tenants": [config_of(tenant)]})
        if problems:
            raise DemoSecret("Public demo credentials are refused in production: " + "; ".join(problems))


def config_of(tenant: Tenant) -> dict[str, Any]:
    return tenant.model_dump(mode="json")


def fingerprint(config: dict[str, Any] | None) -> str | None:
    if config is None:
        return None
    return hashlib.sha256(json.dumps(config, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def redact(value: Any) -> Any:
    """``value`` with every secret (webhook and handler secrets, identity secret, API keys) masked."""
    if isinstance(value, dict):
        return {k: (_mask(v) if k in SECRET_FIELDS else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _mask(value: Any) -> Any:
    if value is None:
        return None
    return [MASK for _ in value] if isinstance(value, list) else MASK


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted path -> value for every leaf of nested objects (lists are leaves: compared whole)."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_leaves(v, f"{prefix}.{k}" if prefix else k))
        return out
    return {prefix: value}


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The changed leaves, ``{path, before, after}``, secrets masked (a rotation shows as ``*** -> ***``)."""
    old, new = _leaves(redact(before or {})), _leaves(redact(after or {}))
    return [
        {"path": path, "before": old.get(path), "after": new.get(path)}
        for path in sorted(old.keys() | new.keys())
        if old.get(path) != new.get(path) or _secret_changed(path, before, after)
    ]


def _secret_changed(path: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    if path.rsplit(".", 1)[-1] not in SECRET_FIELDS:
        return False
    return _leaves(before or {}).get(path) != _leaves(after or {}).get(path)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


async def configured(admin: Admin) -> list[TenantRow]:
    async with admin.sessions() as session:
        rows = await session.scalars(select(TenantRow).where(TenantRow.config.is_not(None)).order_by(TenantRow.id))
        return list(rows)


async def configured_row(admin: Admin, tenant_id: str) -> TenantRow:
    async with admin.sessions() as session:
        row = await session.get(TenantRow, tenant_id)
    if row is None or row.config is None:
        raise NotFound(f"Expected a known tenant id, got {tenant_id!r}")
    return row


def _check_widget_key(rows: list[TenantRow], tenant: Tenant) -> None:
    for row in rows:
        if row.id != tenant.id and row.config and row.config.get("widget_key") == tenant.widget_key:
            raise Conflict(f"Expected a widget key no other tenant uses; {row.id!r} has it")


async def create(admin: Admin, key_id: str, tenant: Tenant) -> TenantRow:
    _refuse_demo_secrets(admin, tenant)
    _refuse_server_paths(None, tenant)
    async with admin.sessions() as session, session.begin():
        _check_widget_key(list(await session.scalars(select(TenantRow))), tenant)
        row = await session.get(TenantRow, tenant.id)
        if row is not None and row.config is not None:
            raise Conflict(f"Expected a new tenant id, got {tenant.id!r} which exists")
        if row is None:
            row = TenantRow(id=tenant.id)
            session.add(row)
        _store(session, row, key_id, "tenant.create", None, tenant)
    await publish_tenant(admin.kv, tenant, row.version)
    return row


async def change(
    admin: Admin, key_id: str, tenant_id: str, action: str, edit: Callable[[dict[str, Any]], dict[str, Any]]
) -> tuple[TenantRow, Tenant]:
    """Apply ``edit`` to the tenant's stored configuration; pydantic's ValidationError if the result is invalid."""
    try:
        async with admin.sessions() as session, session.begin():
            row = await session.get(TenantRow, tenant_id)
            if row is None or row.config is None:
                raise NotFound(f"Expected a known tenant id, got {tenant_id!r}")
            before = row.config
            tenant = Tenant.model_validate(edit(copy.deepcopy(before)))
            if tenant.id != tenant_id:
                raise Conflict(f"Expected the tenant id to stay {tenant_id!r}, got {tenant.id!r}")
            _refuse_demo_secrets(admin, tenant)
            _refuse_server_paths(before, tenant)
            if tenant.widget_key != before.get("widget_key"):
                _check_widget_key(list(await session.scalars(select(TenantRow))), tenant)
            _store(session, row, key_id, action, before, tenant)
    except StaleDataError as exc:
        raise Conflict(f"Tenant {tenant_id!r} was changed meanwhile; read it again and retry") from exc
    await publish_tenant(admin.kv, tenant, row.version)
    return row, tenant


def _store(
    session: Any, row: TenantRow, key_id: str, action: str, before: dict[str, Any] | None, tenant: Tenant
) -> None:
    after = config_of(tenant)
    row.config, row.name, row.disabled = after, tenant.name, tenant.disabled
    row.source, row.updated_at = "admin", utcnow()
    session.add(audit_row(key_id, action, tenant.id, before, after))


def audit_row(
    key_id: str,
    action: str,
    tenant_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    agent_id: str | None = None,
) -> AdminAudit:
    return AdminAudit(
        key_id=key_id,
        action=action,
        tenant_id=tenant_id,
        agent_id=agent_id,
        before_sha256=fingerprint(before),
        after_sha256=fingerprint(after),
        diff=diff(before, after),
    )


async def audit_of(admin: Admin, tenant_id: str, limit: int) -> list[AdminAudit]:
    async with admin.sessions() as session:
        rows = await session.scalars(
            select(AdminAudit).where(AdminAudit.tenant_id == tenant_id).order_by(AdminAudit.id.desc()).limit(limit)
        )
        return list(rows)
