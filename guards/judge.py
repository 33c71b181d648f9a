"""The LLM-judge method: ask an OpenAI-compatible model whether the sources support a sentence."""

from __future__ import annotations

import json
import logging
import re

from openai import AsyncOpenAI

from guards.grounding import ground, source_texts
from guards.verdict import Verdict
from shared.events import Source

log = logging.getLogger(__name__)

PROMPT = """You check a customer-support assistant's answer against the passages it was given.
Decide whether the SENTENCE is supported by the PASSAGES. A paraphrase of the passages is supported.
A number, name, date or negation that differs from the passages, or a claim the passages do not make,
is not supported. The visitor's QUESTION may explain a number or detail the visitor gave (their order
size, their dates), but it never supports a claim about the business. Sentences with no factual claim
(greetings, offers to help, pointing the visitor to a person, questions) are supported.
Reply with JSON only: {"supported": true|false, "score": <0..1, how unsupported>, "reason": "<short>",
"correction": "<the passage text that states the fact correctly, or empty>"}"""

_JSON = re.compile(r"\{.*\}", re.DOTALL)


def parse_judgement(content: str) -> tuple[float, str, str | None]:
    """(score, reason, correction) from the model's reply; raises ValueError if there is no JSON."""
    match = _JSON.search(content or "")
    if match is None:
        raise ValueError(f"Expected a JSON object from the judge, got {content[:200]!r}")
    data = json.loads(match.group(0))
    supported = bool(data.get("supported", True))
    score = float(data.get("score", 0.0 if supported else 1.0))
    if not supported:
        score = max(score, 0.5)
    elif score >= 0.5:
        score = 0.0  # a "supported" answer with a high score is contradictory; trust the boolean
    return min(max(score, 0.0), 1.0), str(data.get("reason", "")), (data.get("correction") or None)


class LlmJudgeMethod:
    """Judges sentences with a chat model; falls back to the offline check if the call fails.

    By default a cascade: a sentence the offline check finds fully supported (or no claim at
    all) is passed without a model call; the model judges only what the offline check doubts,
    which is also where its false flags are. ``every_sentence`` asks the model about each one.
    """

    name = "llm-judge"

    def __init__(
        self, client: AsyncOpenAI, model: str, timeout_s: float = 10.0, *, every_sentence: bool = False
    ) -> None:
        self.client = client
        self.model = model
        self.timeout_s = timeout_s
        self.every_sentence = every_sentence
        # Sentences checked and model calls made, for the cost per reply (evaluation, benches).
        self.sentences = 0
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.prompt_chars = 0  # what was sent, for servers that report no usage (about 4 characters a token)

    async def check(
        self,
        sentence: str,
        sources: list[Source],
        context: str = "",
        known: frozenset[str] = frozenset(),
        *,
        question: str = "",
    ) -> Verdict:
        self.sentences += 1
        if not self.every_sentence:
            offline = ground(sentence, source_texts(sources), known, question)
            if offline.score == 0.0:
                return offline
        self.calls += 1
        passages = "\n".join(f"[{i + 1}] {s.title}: {s.snippet}" for i, s in enumerate(sources)) or "(none)"
        user = (
            f"PASSAGES:\n{passages}\n\nQUESTION:\n{question or '(not given)'}\n\n"
            f"ANSWER SO FAR:\n{context}\n\nSENTENCE:\n{sentence}"
        )
        self.prompt_chars += len(PROMPT) + len(user)
        try:
            response = await self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": "system", "content": PROMPT}, {"role": "user", "content": user}],
                temperature=0,
                timeout=self.timeout_s,
            )
            if response.usage is not None:
                self.prompt_tokens += response.usage.prompt_tokens or 0
                self.completion_tokens += response.usage.completion_tokens or 0
            score, reason, correction = parse_judgement(response.choices[0].message.content or "")
        except Exception as exc:  # the guard must keep working when the model is down or talks nonsense
            log.warning("llm judge failed (%s); using the offline check", exc)
            return ground(sentence, source_texts(sources), known, question)
        return Verdict(score, reason or "the model found no support in the sources", self.name, correction)
