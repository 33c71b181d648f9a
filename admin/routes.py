"""The admin API under /admin/v1 (docs/admin.md): tenants and their audit log. Thin: the work is in admin.changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from admin import changes
from admin.auth import KeyIdDep
from admin.context import AdminDep
from admin.rotation import rotate
from admin.schemas import AuditEntry, NewTenant, Rotated, Rotation, TenantView
from shared.tenants import Tenant

router = APIRouter(prefix="/admin/v1", tags=["admin"])

PATCH_EXAMPLE = {
    "widget": {"theme": {"accent": "#0a7"}, "strings": {"title": "Help"}},
    "handoff": {"keywords": ["human", "agent"]},
    "guard": {"action": "withhold"},
    "limits": {"sessions_per_ip": 100},
}


def _http(exc: Exception) -> HTTPException:
    if isinstance(exc, changes.NotFound):
        return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))
    return HTTPException(status.HTTP_409_CONFLICT, str(exc))


def _unprocessable(message: str, field: str | None = None) -> RequestValidationError:
    loc = ("body", field) if field else ("body",)
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": message}])


async def _change(admin: AdminDep, key_id: str, tenant_id: str, action: str, edit: Any) -> TenantView:
    try:
        row, _ = await changes.change(admin, key_id, tenant_id, action, edit)
    except (changes.NotFound, changes.Conflict) as exc:
        raise _http(exc) from exc
    except changes.Refused as exc:
        raise _unprocessable(str(exc)) from exc
    except ValidationError as exc:  # the edited configuration is not a valid tenant: 422, as a bad body
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc
    return TenantView.of(row)


@router.get("/tenants", summary="Every configured tenant")
async def list_tenants(admin: AdminDep, _: KeyIdDep) -> list[TenantView]:
    return [TenantView.of(row) for row in await changes.configured(admin)]


@router.post("/tenants", status_code=status.HTTP_201_CREATED, summary="Create a tenant; live on every service at once")
async def create_tenant(admin: AdminDep, key_id: KeyIdDep, body: NewTenant) -> TenantView:
    try:
        row = await changes.create(admin, key_id, Tenant.model_validate(body.model_dump()))
    except changes.Conflict as exc:
        raise _http(exc) from exc
    except changes.Refused as exc:
        raise _unprocessable(str(exc)) from exc
    return TenantView.of(row)


@router.get("/tenants/{tenant_id}", summary="One tenant's configuration (secrets masked)")
async def get_tenant(admin: AdminDep, _: KeyIdDep, tenant_id: str) -> TenantView:
    try:
        return TenantView.of(await changes.configured_row(admin, tenant_id))
    except changes.NotFound as exc:
        raise _http(exc) from exc


@router.patch(
    "/tenants/{tenant_id}",
    summary="Change a tenant's configuration (JSON Merge Patch)",
    description="RFC 7396: objects merge key by key, `null` restores a field's default, anything else replaces it "
    "(lists whole). Any field of the tenant: name, assistant_name, widget (theme, strings, layout), welcome, "
    "nudges, handoff rules, guard policy, tools, actions, limits, allowed_origins, model... The result is "
    "validated as a whole (422 names the field); the id cannot change; `disabled` has its own endpoints.",
)
async def update_tenant(
    admin: AdminDep,
    key_id: KeyIdDep,
    tenant_id: str,
    patch: Annotated[dict[str, Any], Body(examples=[PATCH_EXAMPLE])],
) -> TenantView:
    for field in ("id", "disabled"):
        if field in patch:
            where = "the tenant id never changes" if field == "id" else "use POST .../disable or .../enable"
            raise _unprocessable(f"Expected no {field!r} in a patch: {where}", field)
    return await _change(admin, key_id, tenant_id, "tenant.update", lambda config: changes.merge_patch(config, patch))


@router.post("/tenants/{tenant_id}/disable", summary="Disable: its widget gets no new sessions (403)")
async def disable_tenant(admin: AdminDep, key_id: KeyIdDep, tenant_id: str) -> TenantView:
    return await _change(admin, key_id, tenant_id, "tenant.disable", lambda config: {**config, "disabled": True})


@router.post("/tenants/{tenant_id}/enable", summary="Enable a disabled tenant again")
async def enable_tenant(admin: AdminDep, key_id: KeyIdDep, tenant_id: str) -> TenantView:
    return await _change(admin, key_id, tenant_id, "tenant.enable", lambda config: {**config, "disabled": False})


@router.post("/tenants/{tenant_id}/rotate", summary="Replace the widget key or a secret with a generated one")
async def rotate_secret(admin: AdminDep, key_id: KeyIdDep, tenant_id: str, body: Rotation) -> Rotated:
    fresh: list[str] = []

    def edit(config: dict[str, Any]) -> dict[str, Any]:
        config, value = rotate(config, body.secret)
        fresh.append(value)
        return config

    view = await _change(admin, key_id, tenant_id, f"tenant.rotate.{body.secret}", edit)
    return Rotated(tenant=view, secret=body.secret, value=fresh[-1])


@router.get("/tenants/{tenant_id}/audit", summary="The tenant's audit log, newest first")
async def tenant_audit(
    admin: AdminDep, _: KeyIdDep, tenant_id: str, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[AuditEntry]:
    return [AuditEntry.of(row) for row in await changes.audit_of(admin, tenant_id, limit)]
