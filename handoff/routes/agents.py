"""Agent API: presence and capacity of the tenant's agents."""

from __future__ import annotations

from fastapi import APIRouter

from handoff.deps import AgentDep, HandoffDep
from handoff.presence import presence_of, set_presence
from handoff.views import AgentView, PresenceIn, agent_view
from shared.tenants import CannedReply

router = APIRouter(prefix="/v1/agents", tags=["agents"])


@router.get("", summary="The tenant's agents with presence and load")
async def list_agents(h: HandoffDep, agent: AgentDep) -> list[AgentView]:
    return [agent_view(h, await presence_of(h, account)) for account in h.agents.of_tenant(agent.tenant_id)]


@router.get("/me", summary="The calling agent")
async def me(h: HandoffDep, agent: AgentDep) -> AgentView:
    return agent_view(h, await presence_of(h, agent))


@router.put("/me/presence", summary="Go online, away or offline; set capacity")
async def update_presence(h: HandoffDep, agent: AgentDep, body: PresenceIn) -> AgentView:
    return agent_view(h, await set_presence(h, agent, body.status, body.capacity))


@router.get("/me/canned-replies", summary="The tenant's canned replies (inserted by /shortcut in the console)")
async def canned_replies(h: HandoffDep, agent: AgentDep) -> list[CannedReply]:
    return h.tenant(agent.tenant_id).handoff.canned_replies
