"""The LLM-judge method through the real openai SDK against the fake OpenAI-compatible server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai import AsyncOpenAI

from guards.judge import LlmJudgeMethod, parse_judgement
from guards.methods import make_method
from shared.events import Source
from shared.settings import Settings
from tests.fakes.openai_server import FakeOpenAI

SOURCES = [Source(id="1", title="Returns", snippet="Sale items cannot be returned.")]


def judge(messages: list[dict[str, Any]]) -> str:
    """A scripted judge: 'supported' unless the sentence claims sale items can be returned."""
    sentence = messages[-1]["content"].rsplit("SENTENCE:\n", 1)[1]
    if "can be returned" in sentence:
        return 'Sure. {"supported": false, "score": 0.9, "reason": "sources say the opposite", ' \
               '"correction": "Sale items cannot be returned."}'  # fmt: skip
    return json.dumps({"supported": True, "score": 0.05, "reason": "", "correction": ""})


def test_parse_judgement_trusts_the_boolean() -> None:
    assert parse_judgement('{"supported": false, "score": 0.2, "reason": "no"}')[0] == 0.5
    assert parse_judgement('{"supported": true, "score": 0.9}')[0] == 0.0
    with pytest.raises(ValueError, match="Expected a JSON object"):
        parse_judgement("I think it is fine")


async def test_judge_flags_through_the_sdk_and_sends_sources() -> None:
    async with FakeOpenAI(replies=judge) as fake:
        method = LlmJudgeMethod(AsyncOpenAI(base_url=fake.base_url, api_key="x"), "judge-model")
        bad = await method.check("Sale items can be returned.", SOURCES, "Sale items can be returned.")
        good = await method.check("Sale items are final.", SOURCES)
        request = fake.requests[0]
    assert (bad.method, bad.score, bad.closest) == ("llm-judge", 0.9, "Sale items cannot be returned.")
    assert good.score < 0.5
    assert request["model"] == "judge-model"
    assert "Sale items cannot be returned." in request["messages"][-1]["content"]


async def test_judge_falls_back_to_the_offline_check_when_the_model_talks_nonsense() -> None:
    async with FakeOpenAI(replies="no json here") as fake:
        method = LlmJudgeMethod(AsyncOpenAI(base_url=fake.base_url, api_key="x"), "judge-model")
        verdict = await method.check("Sale items can be returned.", SOURCES)
    assert verdict.method == "grounding"
    assert verdict.score >= 0.5


def test_make_method_picks_the_judge_only_when_a_model_is_configured(settings: Settings) -> None:
    assert make_method(settings).name == "grounding"
    configured = settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "m"})
    assert make_method(configured).name == "llm-judge"


async def test_the_cascade_asks_the_model_only_about_what_the_offline_check_doubts() -> None:
    async with FakeOpenAI(replies=judge) as fake:
        method = LlmJudgeMethod(AsyncOpenAI(base_url=fake.base_url, api_key="x"), "judge-model")
        supported = await method.check("Sale items cannot be returned.", SOURCES)
        courtesy = await method.check("Happy to help!", SOURCES)
        doubted = await method.check("Sale items can be returned.", SOURCES)
        asked = [r["messages"][-1]["content"].rsplit("SENTENCE:\n", 1)[1] for r in fake.requests]
    assert (supported.method, supported.score) == ("grounding", 0.0)
    assert (courtesy.method, courtesy.score) == ("grounding", 0.0)
    assert (doubted.method, doubted.score) == ("llm-judge", 0.9)
    assert asked == ["Sale items can be returned."]
    assert (method.sentences, method.calls) == (3, 1)


async def test_every_sentence_mode_asks_the_model_each_time(settings: Settings) -> None:
    async with FakeOpenAI(replies=judge) as fake:
        configured = settings.model_copy(
            update={"llm_base_url": fake.base_url, "llm_model": "m", "guard_judge": "every_sentence"}
        )
        method = make_method(configured)
        verdict = await method.check("Sale items cannot be returned.", SOURCES)
        calls = len(fake.requests)
    assert verdict.method == "llm-judge"
    assert calls == 1
