"""`python -m guards.eval score`: any labeled file, scored the way the services decide."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openai import AsyncOpenAI

from bench.scripted_model import answer as scripted_answer
from guards.eval.__main__ import score_main
from guards.eval.datasets import DATA
from guards.eval.score import AnswerRow, MessageRow, decides_handoff, load_answers, load_messages, score_answers
from guards.judge import PROMPT, LlmJudgeMethod
from tests.fakes.openai_server import FakeOpenAI, FakeOpenAIThread

SOURCES = ["Standard shipping takes 3 to 5 business days and is free on orders over $75. Express shipping costs $19."]
ANSWERS = [
    {
        "sources": SOURCES,
        "question": "How long is standard shipping?",
        "answer": "Standard shipping takes 3 to 5 business days. Happy to help!",
        "label": "grounded",
    },
    {
        "sources": SOURCES,
        "question": "My cart is $80, do I pay shipping?",
        "answer": "Your $80 order ships free.",
        "label": "grounded",
    },
    {
        "sources": SOURCES,
        "question": "Is express faster?",
        "answer": "Express shipping costs $25.",
        "label": "hallucinated",
    },
    {
        "sources": SOURCES,
        "question": "Do you ship abroad?",
        "answer": "We ship worldwide with DHL.",
        "label": "grounded",
    },  # mislabeled on purpose: a false flag to count
]
MESSAGES = [
    {"history": [], "message": "Quiero hablar con una persona, por favor.", "escalate": True},
    {"history": ["How do I reset my password?"], "message": "That's not what I asked.", "escalate": True},
    {"history": [], "message": "No need for a human, I just want the opening hours.", "escalate": False},
    {"history": [], "message": "Does your AI agent work with Slack?", "escalate": True},  # mislabeled: a miss
]


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_score_prints_scores_confusion_and_timing_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = _write(tmp_path / "answers.jsonl", ANSWERS)
    messages = _write(tmp_path / "messages.jsonl", MESSAGES)
    score_main(["--hallucination", str(answers), "--monitor", str(messages), "--json", "--errors"])
    out = json.loads(capsys.readouterr().out)
    guard = out["hallucination answers.jsonl (grounding)"]
    assert (guard["tp"], guard["fp"], guard["fn"], guard["tn"]) == (1, 1, 0, 2)
    assert guard["precision"] == 0.5
    assert guard["recall"] == 1.0
    assert guard["ms_p99"] >= guard["ms_p50"] > 0
    assert any("We ship worldwide" in e for e in guard["errors"])
    monitor = out["monitor messages.jsonl (handoff)"]
    assert (monitor["tp"], monitor["fp"], monitor["fn"], monitor["tn"]) == (2, 0, 1, 1)


def test_score_prints_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    score_main(["--hallucination", str(_write(tmp_path / "a.jsonl", ANSWERS))])
    out = capsys.readouterr().out
    assert "P=0.500 R=1.000" in out
    assert "tp=1 fp=1 fn=0 tn=2" in out
    assert "p99=" in out


def test_a_bad_row_is_a_clear_error_naming_its_line(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.jsonl", [ANSWERS[0], {"sources": SOURCES, "answer": "x", "label": "maybe"}])
    with pytest.raises(SystemExit, match=r"bad.jsonl:2: label"):
        score_main(["--hallucination", str(bad)])
    (tmp_path / "broken.jsonl").write_text("{not json\n")
    with pytest.raises(SystemExit, match=r"broken.jsonl:1: not JSON"):
        score_main(["--monitor", str(tmp_path / "broken.jsonl")])


async def test_the_monitor_is_scored_on_the_services_handoff_decision() -> None:
    assert await decides_handoff(MessageRow(history=["Where is my order?"], message="Ich will sofort einen "
                                            "Menschen sprechen.", escalate=True))  # fmt: skip
    # History replays through the service: the request made for the history's ask covers the next message.
    assert not await decides_handoff(MessageRow(history=["I want a human"], message="hello?", escalate=False))
    assert not await decides_handoff(MessageRow(message="Wow, that was fast!!! Thanks!!!", escalate=False))


def test_the_project_sets_are_large_multilingual_and_in_the_row_format() -> None:
    answers = [r for f in sorted(DATA.glob("*hallucination.jsonl")) for r in load_answers(f)]
    messages = [r for f in sorted(DATA.glob("*monitor.jsonl")) for r in load_messages(f)]
    assert len(answers) >= 300
    assert len(messages) >= 200
    assert sum(r.lang not in ("", "en") for r in answers) >= len(answers) / 5
    assert sum(r.lang not in ("", "en") for r in messages) >= len(messages) / 5
    assert {r.lang for r in answers + messages} >= {"en", "es", "fr", "de", "pt", "it", "pl", "nl"}


async def test_the_judge_is_scored_against_the_scripted_model_and_its_cost_reported() -> None:
    rows = [AnswerRow.model_validate(r) for r in ANSWERS]
    async with FakeOpenAI(replies=scripted_answer) as fake:
        method = LlmJudgeMethod(AsyncOpenAI(base_url=fake.base_url, api_key="x"), "judge", every_sentence=True)
        report = await score_answers(rows, method)
        asked = [r["messages"] for r in fake.requests]
    assert report.scores.tp + report.scores.fn == 1  # the scripted judge finds everything supported
    assert report.scores.tp == 0
    assert report.cost["calls_per_reply"] == report.cost["sentences_per_reply"] == 5 / 4
    assert report.cost["completion_tokens_per_reply"] > 0
    system, user = asked[-1][0]["content"], asked[-1][1]["content"]
    assert system == PROMPT
    assert "QUESTION:\nDo you ship abroad?" in user
    assert user.endswith("SENTENCE:\nWe ship worldwide with DHL.")  # one sentence per call
    assert SOURCES[0] in user


def test_the_command_runs_the_judge_against_any_openai_compatible_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = _write(tmp_path / "a.jsonl", ANSWERS[:2])
    with FakeOpenAIThread(replies=scripted_answer) as fake:
        score_main(["--hallucination", str(answers), "--method", "llm-judge", "--judge-url", fake.base_url,
                    "--judge-model", "judge", "--every-sentence", "--json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)["hallucination a.jsonl (llm-judge)"]
    assert report["cost"]["calls_per_reply"] == 1.5
    assert (report["tp"], report["fp"]) == (0, 0)
