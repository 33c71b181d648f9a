"""Agent accounts: who may use the agent API, for which tenant. Tokens are stored as sha256 hashes."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, field_validator

from shared.demo import DEMO_AGENTS, demo_agent_token_hashes
from shared.subjects import check_token


def hash_token(token: str) -> str:
    """Hex sha256 of a bearer token: what agents.yaml stores (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


class AgentAccount(BaseModel):
    id: str = Field(description="Agent id, unique within the tenant.")
    tenant_id: str = Field(description="The only tenant whose conversations this agent sees.")
    name: str = Field(description="Display name shown to visitors when the agent joins.")
    avatar_url: str | None = None
    capacity: int = Field(3, ge=0, description="Default number of conversations auto-assigned at once.")
    role: Literal["agent", "supervisor"] = Field(
        "agent", description="agent: live events of their own conversations; supervisor: of the whole tenant."
    )
    token_sha256: str = Field(description="Hex sha256 of the agent's bearer token.", pattern=r"^[0-9a-f]{64}$")
    disabled: bool = Field(False, description="A disabled agent's token is refused (401).")

    @field_validator("id", "tenant_id")
    @classmethod
    def _token(cls, v: str) -> str:
        return check_token(v, "agent or tenant id")


class AgentDirectory(BaseModel):
    """The accounts a handoff replica knows: the agents file, kept current by handoff.agent_sync."""

    agents: list[AgentAccount]

    def authenticate(self, token: str) -> AgentAccount | None:
        """The enabled account whose hash matches; every hash is compared, in constant time each."""
        digest = hash_token(token)
        found = None
        for agent in self.agents:
            if hmac.compare_digest(agent.token_sha256, digest) and not agent.disabled:
                found = agent
        return found

    def put(self, agent: AgentAccount) -> None:
        """Add ``agent`` or replace the one with its tenant and id (readers see the old or new list, never half)."""
        self.agents = [*(a for a in self.agents if (a.tenant_id, a.id) != (agent.tenant_id, agent.id)), agent]

    def drop(self, tenant_id: str, agent_id: str) -> None:
        self.agents = [a for a in self.agents if (a.tenant_id, a.id) != (tenant_id, agent_id)]

    def of_tenant(self, tenant_id: str) -> list[AgentAccount]:
        return [a for a in self.agents if a.tenant_id == tenant_id]

    def get(self, tenant_id: str, agent_id: str) -> AgentAccount | None:
        return next((a for a in self.agents if a.tenant_id == tenant_id and a.id == agent_id), None)


def load_agents(path: Path) -> AgentDirectory:
    return AgentDirectory.model_validate(yaml.safe_load(path.read_text()) or {"agents": []})


def refuse_demo_agents(path: Path, *, explicitly_set: bool) -> None:
    """Production: raise ValueError unless the agents file is set, exists, and holds no demo agent token."""
    if not explicitly_set or path.resolve() == DEMO_AGENTS.resolve():
        raise ValueError(
            f"HANDOFF_AGENTS_FILE is not set (or is the demo file {DEMO_AGENTS}); production needs its own agents file"
        )
    if not path.is_file():
        raise ValueError(f"HANDOFF_AGENTS_FILE {path} does not exist; production needs its own agents file")
    demo = demo_agent_token_hashes()
    used = [
        f"{a.tenant_id}/{a.id}"
        for a in load_agents(path).agents
        if a.token_sha256 in demo or a.token_sha256 == hash_token(f"demo-{a.tenant_id}-{a.id}")
    ]
    if used:
        raise ValueError(
            f"HANDOFF_AGENTS_FILE {path} gives agents {', '.join(used)} a public demo token "
            f"(demo-<tenant>-<agent>); refused in production: make each a random token"
        )


@lru_cache
def cached_agents(path: Path) -> AgentDirectory:
    return load_agents(path)
