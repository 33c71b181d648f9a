"""Settings only the handoff service reads (env prefix HANDOFF_); shared ones come from shared.settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import REPO_ROOT


class HandoffSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_", env_file=".env", extra="ignore")

    agents_file: Path = Field(REPO_ROOT / "deploy" / "demo" / "agents.yaml", description="Agent accounts per tenant.")
    agent_timeout_s: float = Field(60.0, description="An agent not seen for this long goes offline; work re-queued.")
    reconnect_grace_s: float = Field(10.0, description="How long a closed console socket may take to come back.")
    heartbeat_s: float = Field(15.0, description="How often an open console socket refreshes the agent's last_seen.")
    sweep_interval_s: float = Field(5.0, description="How often timed-out agents are looked for.")
    webhook_attempts: int = Field(5, description="Tries per webhook delivery before it is given up.")
    webhook_backoff_s: float = Field(0.5, description="First retry delay; doubles each try.")
    webhook_timeout_s: float = Field(5.0, description="Per-request timeout of a webhook POST.")
    socket_queue: int = Field(1000, description="Frames buffered per agent socket before it is closed as too slow.")
