"""One Settings object for every service, read from the environment (and `.env`)."""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypedDict

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-insecure-secret-change-me"
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    secret_key: str | None = Field(None, description="Signs visitor tokens. Required outside development.")
    nats_url: str | None = Field(
        None,
        description="External NATS: one URL, or a cluster's seed URLs separated by commas; "
        "unset means the runner starts an embedded one.",
    )
    database_url: str = "sqlite+aiosqlite:///./var/switchboard.db"
    var_dir: Path = Path("var")
    tenants_file: Path = REPO_ROOT / "deploy" / "demo" / "tenants.yaml"

    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    handoff_host: str = "127.0.0.1"
    handoff_port: int = 8001
    gateway_public_url: str | None = Field(
        None,
        description="The gateway's URL as browsers reach it: the admin page's widget preview talks to it. "
        "Unset: http://<GATEWAY_HOST>:<GATEWAY_PORT> (right for development).",
    )

    visitor_token_ttl_s: int = 24 * 3600
    max_frame_bytes: int = 16 * 1024
    max_body_bytes: int = Field(
        64 * 1024, ge=0, description="Largest HTTP request body the gateway and the handoff API read (413 beyond)."
    )
    frames_per_second: float = 20.0
    frame_burst: int = 40
    heartbeat_s: float = 20.0

    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str | None = None
    llm_embedding_model: str | None = Field(
        None,
        description="With LLM_BASE_URL: the endpoint's embedding model; set, knowledge retrieval is hybrid "
        "(BM25 and embeddings, shared.knowledge.vectors) for tenants on the model.",
    )
    llm_timeout_s: float = Field(
        120.0, gt=0, description="Longest wait for the model's next bytes; a stalled reply ends with an error notice."
    )
    guard_languages: Annotated[list[str], NoDecode] = Field(
        ["en", "es", "fr", "de", "pt", "it", "pl", "nl"],
        description=(
            "Languages whose lemma dictionaries the guards load at start (~0.2-1.7 s and ~15 MB each); "
            "text in another language is only lower-cased. Comma-separated in the environment."
        ),
    )

    @field_validator("guard_languages", mode="before")
    @classmethod
    def _comma_separated(cls, v: object) -> object:
        return [part.strip() for part in v.split(",") if part.strip()] if isinstance(v, str) else v

    guard_judge: Literal["cascade", "every_sentence"] = Field(
        "cascade",
        description="With a model: judge only the sentences the offline check doubts (cascade), or every one.",
    )

    # Durable consumers (recorder, post-reply workers): fetched in batches; a message that fails
    # consumer_max_tries times goes to the SB_DLQ dead-letter stream.
    recorder_batch_size: int = Field(200, ge=1, description="Events the recorder fetches and writes per transaction.")
    recorder_ack_wait_s: float = Field(30.0, gt=0, description="Redelivery after a recorder died holding a batch.")
    consumer_max_tries: int = Field(4, ge=1, description="Tries of a failing message before it is dead-lettered.")
    consumer_retry_delay_s: float = Field(1.0, ge=0, description="Pause before a failed message is tried again.")
    # Post-reply digest: the title after the first reply; summary and tags once the conversation
    # has been quiet this long, or every summary_every_turns replies, not after every reply.
    summary_idle_s: float = Field(20.0, ge=0, description="Quiet time after a reply before the summary is redone.")
    summary_every_turns: int = Field(10, ge=1, description="Redo the summary at least every this many replies.")

    log_level: str = "INFO"

    demo_pages: bool | None = Field(
        None, description="Serve the demo pages (/, /demo, /static). Default: on, except in production."
    )
    api_docs: bool | None = Field(
        None, description="Serve Swagger UI, ReDoc and /openapi.json. Default: on, except in production."
    )

    def gateway_url(self) -> str:
        """GATEWAY_PUBLIC_URL, else the gateway's own address (a wildcard bind read as loopback)."""
        if self.gateway_public_url:
            return self.gateway_public_url.rstrip("/")
        host = "127.0.0.1" if self.gateway_host in ("0.0.0.0", "::", "") else self.gateway_host
        return f"http://{host}:{self.gateway_port}"

    @model_validator(mode="after")
    def _secrets_and_urls(self) -> Settings:
        if not self.secret_key:
            if self.environment != "development":
                raise ValueError(f"SECRET_KEY must be set when ENVIRONMENT={self.environment!r}")
            self.secret_key = DEV_SECRET
        elif self.secret_key == DEV_SECRET and self.environment != "development":
            raise ValueError(
                f"SECRET_KEY is the public development placeholder; set a real secret when "
                f"ENVIRONMENT={self.environment!r}"
            )
        if len(self.secret_key) < 16:
            raise ValueError(f"SECRET_KEY must be at least 16 characters, got {len(self.secret_key)}")
        if self.environment == "production" and self.llm_base_url and not self.llm_api_key:
            warnings.warn("LLM_BASE_URL is set without LLM_API_KEY", stacklevel=2)
        self.database_url = normalize_database_url(self.database_url)
        self._public_switches()
        return self

    def _public_switches(self) -> None:
        production = self.environment == "production"
        if self.demo_pages is None:
            self.demo_pages = not production
        if self.api_docs is None:
            self.api_docs = not production
        if production:
            from shared.demo import refuse_demo_tenants

            refuse_demo_tenants(self.tenants_file)
        elif self.environment == "development":
            # Development runs on public demo secrets: never reachable from another machine.
            for name, host in (("GATEWAY_HOST", self.gateway_host), ("HANDOFF_HOST", self.handoff_host)):
                if host not in LOOPBACK_HOSTS:
                    raise ValueError(
                        f"{name}={host!r} in development mode, whose secrets are public demo secrets; "
                        f"bind to 127.0.0.1 (or set ENVIRONMENT=production with real secrets)"
                    )


class ApiDocsUrls(TypedDict):
    docs_url: str | None
    redoc_url: str | None
    openapi_url: str | None


def api_docs_urls(settings: Settings) -> ApiDocsUrls:
    """FastAPI's docs_url/redoc_url/openapi_url: None (not served) when the API docs are off."""
    if settings.api_docs:
        return ApiDocsUrls(docs_url="/docs", redoc_url="/redoc", openapi_url="/openapi.json")
    return ApiDocsUrls(docs_url=None, redoc_url=None, openapi_url=None)


def normalize_database_url(url: str) -> str:
    """Map plain postgres/sqlite URLs onto the async drivers we use."""
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+asyncpg://" + url[len(plain) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
