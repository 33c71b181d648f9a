"""Typed dependencies for the agent API: the service context and the authenticated agent."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from handoff.agents import AgentAccount
from handoff.context import Handoff

_bearer = HTTPBearer(auto_error=False, description="An agent's bearer token (see deploy/demo/agents.yaml).")


def get_handoff(conn: HTTPConnection) -> Handoff:
    return conn.state.handoff


HandoffDep = Annotated[Handoff, Depends(get_handoff)]


def current_agent(
    h: HandoffDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> AgentAccount:
    agent = h.agents.authenticate(credentials.credentials) if credentials else None
    if agent is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Expected 'Authorization: Bearer <agent token>'" + (", but the token is unknown" if credentials else ""),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return agent


AgentDep = Annotated[AgentAccount, Depends(current_agent)]
