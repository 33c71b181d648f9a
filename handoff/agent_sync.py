"""Agent accounts changed through the admin API reach every handoff replica through the sb_agents bucket."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pydantic import BaseModel

from handoff.agents import AgentAccount, AgentDirectory
from shared.config_bucket import BucketFollower, open_config_bucket, put_versioned
from shared.subjects import AGENTS_BUCKET, agent_key

if TYPE_CHECKING:
    from nats.js import JetStreamContext
    from nats.js.kv import KeyValue

log = logging.getLogger(__name__)


async def open_agents_bucket(js: JetStreamContext) -> KeyValue:
    return await open_config_bucket(js, AGENTS_BUCKET, "Agent accounts (token hashes only), by the admin API.")


class AgentEntry(BaseModel):
    version: int
    agent: AgentAccount


async def publish_agent(kv: KeyValue, agent: AgentAccount, version: int) -> bool:
    value = AgentEntry(version=version, agent=agent).model_dump_json().encode()
    return await put_versioned(kv, agent_key(agent.tenant_id, agent.id), value, version)


class AgentSync(BucketFollower):
    """Keeps one replica's AgentDirectory equal to the agents file overlaid with the agents bucket."""

    name = "agent-sync"

    def __init__(self, kv: KeyValue, directory: AgentDirectory) -> None:
        super().__init__(kv)
        self.directory = directory

    @classmethod
    async def follow(cls, js: JetStreamContext, directory: AgentDirectory) -> AgentSync:
        sync = cls(await open_agents_bucket(js), directory)
        await sync.start()
        return sync

    def apply(self, key: str, value: bytes | None) -> None:
        tenant_id, _, agent_id = key.partition(".")
        if value is None:
            self.directory.drop(tenant_id, agent_id)
            return
        try:
            self.directory.put(AgentEntry.model_validate_json(value).agent)
        except ValueError as exc:
            log.warning("skipping unreadable agent %s in %s: %s", key, AGENTS_BUCKET, exc)
