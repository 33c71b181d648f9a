"""The LLM digest through the openai SDK (any OpenAI-compatible server), falling back to the offline one."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable

from openai import AsyncOpenAI

from orchestrator.workers.digest import TAGS_MAX, TITLE_MAX, Digest, Turn, offline_digest
from shared.settings import Settings

log = logging.getLogger(__name__)

Summarizer = Callable[[list[Turn]], Awaitable[Digest]]
PROMPT = (
    "Summarise this support conversation for an agent's inbox. Reply with only a JSON object: "
    f'{{"title": at most {TITLE_MAX} characters, "summary": two or three sentences, '
    f'"tags": up to {TAGS_MAX} lowercase keywords}}.'
)
TRANSCRIPT_MAX_CHARS = 12_000
_JSON = re.compile(r"\{.*\}", re.DOTALL)
# Digests of one fetched batch run together: a model that hangs must not hold the others for
# the SDK's default 10 minutes (past the task's ack wait); the offline digest stands in.
LLM_TIMEOUT_S = 30.0


def transcript(turns: list[Turn]) -> str:
    text = "\n".join(f"{t.role}: {t.text}" for t in turns)
    return text[-TRANSCRIPT_MAX_CHARS:]  # the end of a long conversation matters most


def parse_digest(content: str, fallback: Digest) -> Digest:
    """The model's JSON, tolerating prose around it; missing fields come from ``fallback``."""
    match = _JSON.search(content)
    data = json.loads(match.group(0)) if match else {}
    if not isinstance(data, dict):
        raise ValueError(f"Expected a JSON object from the model, got {content[:80]!r}")
    title = str(data.get("title") or fallback.title).strip()[:TITLE_MAX]
    summary = str(data.get("summary") or fallback.summary).strip()
    tags = data.get("tags")
    tags = [str(t).strip().lower() for t in tags if str(t).strip()][:TAGS_MAX] if isinstance(tags, list) else []
    return Digest(title=title, summary=summary, tags=tags or fallback.tags)


def llm_summarizer(client: AsyncOpenAI, model: str) -> Summarizer:
    async def summarize(turns: list[Turn]) -> Digest:
        fallback = offline_digest(turns)
        try:
            response = await client.chat.completions.create(
                model=model,
                temperature=0,
                messages=[{"role": "system", "content": PROMPT}, {"role": "user", "content": transcript(turns)}],
            )
            return parse_digest(response.choices[0].message.content or "", fallback)
        except Exception as exc:  # a digest is a nicety: never lose the turn over it
            log.warning("LLM digest failed (%s); using the offline digest", exc)
            return fallback

    return summarize


async def _offline(turns: list[Turn]) -> Digest:
    return offline_digest(turns)


def choose_summarizer(settings: Settings, timeout_s: float = LLM_TIMEOUT_S) -> Summarizer:
    """The LLM digest when a model server is configured (giving up after ``timeout_s``), else the offline one."""
    if not settings.llm_base_url:
        return _offline
    client = AsyncOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",
        timeout=timeout_s,
        max_retries=1,
    )
    return llm_summarizer(client, settings.llm_model or "gpt-4o-mini")
