"""Pick the hallucination-check method from settings: the LLM judge when a model is configured."""

from __future__ import annotations

from openai import AsyncOpenAI

from guards.grounding import GroundingMethod
from guards.judge import LlmJudgeMethod
from guards.verdict import GuardMethod
from shared.settings import Settings


def make_method(settings: Settings) -> GuardMethod:
    if settings.llm_base_url and settings.llm_model:
        client = AsyncOpenAI(base_url=settings.llm_base_url, api_key=settings.llm_api_key or "unused")
        return LlmJudgeMethod(client, settings.llm_model, every_sentence=settings.guard_judge == "every_sentence")
    return GroundingMethod()
