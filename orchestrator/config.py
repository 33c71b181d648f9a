"""Orchestrator-only knobs, read from ORCHESTRATOR_* environment variables (the rest is shared.settings)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OrchestratorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ORCHESTRATOR_", env_file=".env", extra="ignore")

    durable: str = Field("orchestrator", description="Durable consumer name shared by all replicas.")
    deliver: Literal["all", "new"] = Field(
        "all", description="Where a newly created durable starts; 'new' skips visitor messages already stored."
    )
    concurrency: int = Field(256, ge=1, description="Turns one replica runs at once (different conversations).")
    ack_wait_s: float = Field(
        2.0,
        gt=0,
        description="Redelivery delay of a message whose replica went silent: how soon a crashed turn is taken over.",
    )
    lock_ttl_s: int = Field(
        2, ge=1, description="A crashed replica's conversation lock expires after this (whole seconds)."
    )
    checkpointer: Literal["memory", "database"] = Field(
        "database",
        description="Where conversation history lives: the database (shared by replicas, survives restarts) or memory.",
    )
    delta_interval_s: float = Field(
        0.025,
        ge=0,
        description="Token deltas are batched: the first at once, then at most one bus message per this interval.",
    )
    word_delay_s: float = Field(0.03, ge=0, description="Pacing of the offline answerer, so the demo visibly streams.")
