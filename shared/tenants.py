"""Tenant configuration: validated here, read by every service.

Stored in the database and changed through the admin API (admin/); the tenants file is the seed
(loaded into the database for tenants it does not hold yet). Every service starts from the file and
follows the changes through the bus (shared.tenant_sync), updating its TenantDirectory in place.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from shared.subjects import check_token
from shared.webhooks.signing import check_secret
from shared.webhooks.targets import RefusedTarget, check_url


def _webhook_url(url: str | None) -> str | None:
    """An absolute http(s) URL (where it may go is checked when it is called: shared.webhooks.targets)."""
    if url is not None:
        try:
            check_url(url)
        except RefusedTarget as e:
            raise ValueError(str(e)) from None
    return url


def _webhook_secret(secret: str | None) -> str | None:
    return check_secret(secret) if secret is not None else None


# Checked where they are declared (the tenant's and its handoff rules' webhooks).
WebhookUrl = Annotated[str | None, AfterValidator(_webhook_url)]
WebhookSecret = Annotated[str | None, AfterValidator(_webhook_secret)]


class ScriptedAnswer(BaseModel):
    """An answer the offline answerer gives as a model would, checked by the guard like a model's."""

    match: str = Field(
        min_length=1, max_length=500, description="A regular expression (case-insensitive) for the visitor's message."
    )
    answer: str = Field(min_length=1, max_length=4000)

    @field_validator("match")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as e:
            raise ValueError(f"Expected a regular expression, got {v!r}: {e}") from None
        return v

    def matches(self, text: str) -> bool:
        return re.search(self.match, text, re.IGNORECASE) is not None


class ModelConfig(BaseModel):
    provider: Literal["offline", "openai"] | None = Field(
        None,
        description="Unset: the model at LLM_BASE_URL when that is set, else the offline answerer; "
        "offline: always the offline answerer.",
    )
    model: str | None = Field(None, description="Model name at LLM_BASE_URL; default LLM_MODEL.")
    system_prompt: str = "You are a helpful assistant for {tenant}. Answer only from the provided sources."
    temperature: float = 0.2
    offline_answers: list[ScriptedAnswer] = Field(
        default_factory=list,
        max_length=50,
        description="The offline answerer's scripted answers (first match wins), e.g. a demo answer that goes "
        "beyond the sources so the hallucination guard can be seen flagging it.",
    )


class CannedReply(BaseModel):
    """A reply agents insert by typing ``/shortcut`` in the console."""

    shortcut: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$", description="Typed after a slash, e.g. 'shipping'.")
    title: str = Field("", max_length=120, description="What the console lists it as (the text when empty).")
    text: str = Field(min_length=1, max_length=8000, description="The reply (markdown, as agents write it).")


class HandoffRules(BaseModel):
    keywords: list[str] = Field(default_factory=lambda: ["human", "agent", "person", "representative"])
    sentiment_threshold: float = Field(-0.5, description="Rolling mood below this asks for a human.")
    when_no_agent: Literal["back_to_ai", "leave_message"] = "back_to_ai"
    auto_assign: bool = Field(True, description="Assign queued conversations to the least loaded online agent.")
    ai_while_queued: bool = Field(
        False, description="The assistant keeps answering while the conversation waits for a human (default: it stops)."
    )
    webhook_url: WebhookUrl = Field(
        None, description="POSTed a signed JSON body on every handoff state change (public addresses only)."
    )
    webhook_secret: WebhookSecret = Field(
        None, description="Standard Webhooks secret (whsec_...) signing those posts; none are sent without it."
    )
    on_anger: bool = Field(True, description="An angry message (or profanity) asks for a human at once.")
    on_profanity: bool = Field(True, description="Profanity aimed at the assistant asks for a human at once.")
    repeated_failures: int = Field(
        2,
        description='Asks for a human after this many signs the AI is failing ("that\'s not what I asked", '
        "the same question again); 0 disables.",
    )
    mood_weight: float = Field(
        0.4, description="Weight of the newest message in the rolling mood (exponential moving average), 0-1."
    )
    cooldown_messages: int = Field(
        3, description="After a sentiment handoff request, visitor messages to wait before asking again."
    )
    request_window_s: float = Field(
        120.0,
        ge=0,
        description="The sentiment monitor asks for a human at most once per conversation in this many seconds, "
        "and never while the conversation is queued or assigned (a flood of messages is one request).",
    )
    canned_replies: list[CannedReply] = Field(
        default_factory=list, max_length=500, description="Replies the tenant's agents insert by shortcut."
    )


class GuardPolicy(BaseModel):
    action: Literal["flag", "withhold", "replace"] = "flag"
    threshold: float = 0.5
    replacement: str = Field(
        "[This part was removed: it could not be verified in our documentation.]",
        description="Shown instead of an unsupported sentence (action 'replace') when no source passage corrects it.",
    )


class Handler(BaseModel):
    """Where a tenant's widget actions (or one tool's calls) go: a built-in handler or the business's endpoint.

    An endpoint is POSTed a JSON body signed with ``secret`` (Standard Webhooks, as every webhook)
    and answers an ``ActionResult`` (shared.actions); a call that fails or times out is retried
    ``retries`` times, then the visitor is told plainly that it did not work.
    """

    builtin: str | None = Field(None, description="Name of a built-in handler, e.g. 'store' or 'appointments'.")
    url: WebhookUrl = Field(None, description="The business's endpoint (public addresses unless allowed).")
    secret: WebhookSecret = Field(None, description="Standard Webhooks secret (whsec_...) signing each call.")
    timeout_s: float = Field(5.0, gt=0, le=30, description="Seconds one call may take.")
    retries: int = Field(1, ge=0, le=5, description="Further attempts after a failed or timed-out call.")

    @model_validator(mode="after")
    def _one_kind(self) -> Handler:
        if (self.builtin is None) == (self.url is None):
            raise ValueError("Expected exactly one of 'builtin' or 'url' in a handler")
        if self.url is not None and self.secret is None:
            raise ValueError("Expected a 'secret' (whsec_...) with a handler 'url': calls are always signed")
        return self


class Tool(BaseModel):
    """A function the model may call (OpenAI function tools); its handler's answer may carry components."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Function name the model calls.")
    description: str = Field(description="What it does, for the model.", max_length=1024)
    parameters: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="JSON Schema of the arguments; calls whose arguments do not match are refused.",
    )
    handler: Handler

    @field_validator("parameters")
    @classmethod
    def _schema(cls, v: dict[str, Any]) -> dict[str, Any]:
        try:
            Draft202012Validator.check_schema(v)
        except SchemaError as e:
            raise ValueError(f"Expected a JSON Schema for the tool's parameters: {e.message}") from None
        return v


class WelcomeText(BaseModel):
    text: str = Field("", max_length=2000, description="The greeting, plain text.")
    starters: list[str] = Field(
        default_factory=list, max_length=6, description="Starter prompts shown as quick replies (sent as typed)."
    )


class Welcome(WelcomeText):
    """What a new conversation opens with, pushed by the backend (docs/components.md)."""

    locales: dict[str, WelcomeText] = Field(
        default_factory=dict, description="Per language ('fr', 'pt-br'): replaces text and starters when given."
    )

    def for_language(self, lang: str | None) -> WelcomeText:
        """The best match for a BCP 47 tag ('fr-CA' falls back to 'fr', then the default)."""
        tag = (lang or "").strip().lower()
        local = self.locales.get(tag) or self.locales.get(tag.split("-")[0])
        if local is None:
            return WelcomeText(text=self.text, starters=self.starters)
        return WelcomeText(text=local.text or self.text, starters=local.starters or self.starters)


class NudgeRule(BaseModel):
    """When the assistant speaks first (docs/components.md#nudges)."""

    when: Literal["on_page", "idle"] = Field(
        description="on_page: after_s seconds on a page whose path starts with `path`, the visitor silent meanwhile; "
        "idle: after_s seconds without a word from a visitor who has said something on this page."
    )
    after_s: float = Field(gt=0, le=3600)
    path: str = Field("", max_length=500, description="on_page: a prefix of the page's path ('' is any page).")
    text: str = Field(min_length=1, max_length=2000)
    starters: list[str] = Field(default_factory=list, max_length=6, description="Quick replies offered with it.")


class Nudges(BaseModel):
    """Proactive messages: the rules, and how many a visitor may get per hour (all rules, tabs and replicas)."""

    rules: list[NudgeRule] = Field(default_factory=list, max_length=20)
    per_visitor_per_hour: int = Field(3, ge=0, le=100)


MAX_WINDOW_S = 3600


class Limits(BaseModel):
    """Abuse limits, each "at most N per ``window_s``" (refilled evenly), shared by all gateway replicas."""

    window_s: int = Field(60, ge=1, le=MAX_WINDOW_S, description="The window every count below is per.")
    sessions_per_ip: int = Field(300, ge=1, description="POST /v1/session per client IP (HTTP 429 beyond).")
    sessions_per_tenant: int = Field(6000, ge=1, description="POST /v1/session for the whole tenant.")
    sockets_per_conversation: int = Field(60, ge=1, description="Widget sockets opened per conversation (token).")
    open_sockets_per_conversation: int = Field(
        20, ge=1, description="Widget sockets open at once per conversation (token), across replicas."
    )
    open_sockets_per_ip: int = Field(
        200, ge=1, description="Widget and AG-UI sockets open at once from one client address, across replicas."
    )
    messages_per_conversation: int = Field(
        60, ge=1, description="Stored visitor frames (message, action, feedback, handoff ask) per conversation."
    )
    messages_per_visitor: int = Field(120, ge=1, description="Stored visitor frames per visitor, all conversations.")


class Tenant(BaseModel):
    id: str
    name: str
    disabled: bool = Field(False, description="A disabled tenant's widget gets no new sessions (HTTP 403).")
    widget_key: str = Field(description="Public key embedded in the tenant's site.")
    identity_secret: str | None = Field(None, description="HMAC secret for verified visitor identity.")
    allowed_origins: list[str] = Field(default_factory=list, description="Empty means any origin.")
    assistant_name: str = "Assistant"
    knowledge_base: Path | None = None
    model: ModelConfig = Field(default_factory=ModelConfig)
    handoff: HandoffRules = Field(default_factory=HandoffRules)
    guard: GuardPolicy = Field(default_factory=GuardPolicy)
    widget: dict[str, Any] = Field(default_factory=dict, description="Theme, strings, layout for the widget.")
    limits: Limits = Field(default_factory=Limits, description="Abuse limits (sessions, sockets, messages).")
    webhook_url: WebhookUrl = Field(
        None, description="POSTed a signed JSON body after every completed reply (post-reply workers)."
    )
    webhook_secret: WebhookSecret = Field(
        None, description="Standard Webhooks secret (whsec_...) signing turn webhooks; none are sent without it."
    )
    actions: Handler | None = Field(
        None, description="Handles widget actions (buttons, quick replies, forms) the backend did not handle itself."
    )
    catalog: Path | None = Field(None, description="Product catalog (YAML) the built-in 'store' handler shows.")
    tools: list[Tool] = Field(default_factory=list, description="Functions the model may call (OpenAI provider).")
    welcome: Welcome | None = Field(None, description="Greeting and starter prompts a new conversation opens with.")
    nudges: Nudges = Field(default_factory=Nudges, description="When the assistant speaks first, and how often.")
    api_keys: list[Annotated[str, Field(min_length=24)]] = Field(
        default_factory=list,
        description="Secret keys of the tenant's server-to-server API (POST /v1/push/...): the business's backend "
        "sends one as 'Authorization: Bearer <key>'. Never put them in a page. Several allow rotation.",
    )

    def api_key_matches(self, key: str) -> bool:
        return any(hmac.compare_digest(k.encode(), key.encode()) for k in self.api_keys)

    webhook_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Webhook hosts allowed although they resolve to loopback or private addresses (local "
        "development, tests). Everything else must resolve to public addresses only.",
    )

    @field_validator("id")
    @classmethod
    def _token(cls, v: str) -> str:
        return check_token(v, "tenant id")

    def verify_identity(self, user_id: str, signature: str) -> bool:
        """True if ``signature`` is hex HMAC-SHA256 of ``user_id`` under the tenant's identity secret."""
        if not self.identity_secret:
            return False
        expected = hmac.new(self.identity_secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)


class TenantDirectory(BaseModel):
    """Every tenant a service knows; one object per service, updated in place by shared.tenant_sync."""

    tenants: list[Tenant]

    def put(self, tenant: Tenant) -> None:
        """Add ``tenant`` or replace the one with its id (readers see the old or the new list, never half)."""
        self.tenants = [*(t for t in self.tenants if t.id != tenant.id), tenant]

    def drop(self, tenant_id: str) -> None:
        self.tenants = [t for t in self.tenants if t.id != tenant_id]

    def by_id(self, tenant_id: str) -> Tenant | None:
        return next((t for t in self.tenants if t.id == tenant_id), None)

    def by_widget_key(self, key: str) -> Tenant | None:
        return next((t for t in self.tenants if hmac.compare_digest(t.widget_key, key)), None)


def load_tenants(path: Path) -> TenantDirectory:
    data = yaml.safe_load(path.read_text())
    directory = TenantDirectory.model_validate(data)
    for tenant in directory.tenants:
        if tenant.knowledge_base is not None and not tenant.knowledge_base.is_absolute():
            tenant.knowledge_base = (path.parent / tenant.knowledge_base).resolve()
        if tenant.catalog is not None and not tenant.catalog.is_absolute():
            tenant.catalog = (path.parent / tenant.catalog).resolve()
    return directory


@lru_cache
def cached_tenants(path: Path) -> TenantDirectory:
    return load_tenants(path)
