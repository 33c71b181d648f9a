"""Agent accounts under /admin/v1/tenants/{tenant_id}/agents (docs/admin.md); the work is in admin.agent_changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from admin import agent_changes, changes
from admin.auth import KeyIdDep
from admin.context import AdminDep
from admin.schemas import AgentInvite, AgentPatch, AgentView, AgentWithToken
from handoff.agents import hash_token

router = APIRouter(prefix="/admin/v1/tenants/{tenant_id}/agents", tags=["admin: agents"])


def _http(exc: Exception) -> HTTPException:
    code = status.HTTP_404_NOT_FOUND if isinstance(exc, changes.NotFound) else status.HTTP_409_CONFLICT
    return HTTPException(code, str(exc))


async def _change(admin: AdminDep, key_id: str, tenant_id: str, agent_id: str, action: str, edit: Any) -> AgentView:
    try:
        row, _ = await agent_changes.change(admin, key_id, tenant_id, agent_id, action, edit)
    except (changes.NotFound, changes.Conflict) as exc:
        raise _http(exc) from exc
    return AgentView.of(row)


@router.get("", summary="The tenant's agent accounts")
async def list_agents(admin: AdminDep, _: KeyIdDep, tenant_id: str) -> list[AgentView]:
    return [AgentView.of(row) for row in await agent_changes.agents_of(admin, tenant_id)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Invite an agent: a new account and its token")
async def invite_agent(admin: AdminDep, key_id: KeyIdDep, tenant_id: str, body: AgentInvite) -> AgentWithToken:
    try:
        row, token = await agent_changes.invite(admin, key_id, {**body.model_dump(), "tenant_id": tenant_id})
    except (changes.NotFound, changes.Conflict) as exc:
        raise _http(exc) from exc
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc
    return AgentWithToken(agent=AgentView.of(row), token=token)


@router.patch("/{agent_id}", summary="Change an agent's name, role, capacity or avatar")
async def update_agent(admin: AdminDep, key_id: KeyIdDep, tenant_id: str, agent_id: str, body: AgentPatch) -> AgentView:
    fields = body.model_dump(exclude_unset=True)
    return await _change(admin, key_id, tenant_id, agent_id, "agent.update", lambda c: {**c, **fields})


@router.post("/{agent_id}/disable", summary="Disable: the agent's token is refused from now on (401)")
async def disable_agent(admin: AdminDep, key_id: KeyIdDep, tenant_id: str, agent_id: str) -> AgentView:
    return await _change(admin, key_id, tenant_id, agent_id, "agent.disable", lambda c: {**c, "disabled": True})


@router.post("/{agent_id}/enable", summary="Enable a disabled agent again")
async def enable_agent(admin: AdminDep, key_id: KeyIdDep, tenant_id: str, agent_id: str) -> AgentView:
    return await _change(admin, key_id, tenant_id, agent_id, "agent.enable", lambda c: {**c, "disabled": False})


@router.post("/{agent_id}/rotate-token", summary="A new token for the agent; the old one stops working")
async def rotate_agent_token(admin: AdminDep, key_id: KeyIdDep, tenant_id: str, agent_id: str) -> AgentWithToken:
    token = agent_changes.new_token()
    view = await _change(
        admin, key_id, tenant_id, agent_id, "agent.rotate_token", lambda c: {**c, "token_sha256": hash_token(token)}
    )
    return AgentWithToken(agent=view, token=token)
