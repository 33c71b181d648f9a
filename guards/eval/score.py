"""Score the guards on any labeled file, the way the services decide.

Hallucination rows: ``{"sources": [str], "question": str, "answer": str, "label": "grounded" |
"hallucinated"}``; an answer is predicted hallucinated when any of its sentences scores at or
above the default policy's threshold (the service's flag), checked with the question.

Monitor rows: ``{"history": [str], "message": str, "escalate": bool}``; the history and the
message are replayed through the service's own ``SentimentMonitor`` (in memory, the tenant
default rules), and the prediction is whether the message's processing requests a handoff.

Rows of the older development format (``grounded``/``text``/``labels``) are read too.
Extra keys (``id``, ``kind``, ``lang``) are kept for the error listing.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from guards.eval.metrics import Scores, score
from guards.judge import LlmJudgeMethod
from guards.sentences import split_sentences
from guards.sentiment.store import MemoryMoodStore
from guards.tenancy import TenantRules
from guards.verdict import GuardMethod
from shared.events import HandoffRequested, Source, UserMessage
from shared.languages import LANGUAGES, warm
from shared.tenants import GuardPolicy, TenantDirectory

# Seconds between replayed visitor messages: a typical chat pace.
REPLAY_GAP_S = 20


class AnswerRow(BaseModel):
    sources: list[str]
    question: str = ""
    answer: str
    label: Literal["grounded", "hallucinated"]
    id: str = ""
    kind: str = ""
    lang: str = ""


class MessageRow(BaseModel):
    history: list[str] = Field(default_factory=list)
    message: str
    escalate: bool
    id: str = ""
    lang: str = ""


class BadRow(ValueError):
    """A labeled file has a row we cannot read (the message says which and why)."""


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadRow(f"{path}:{n}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise BadRow(f"{path}:{n}: expected a JSON object, got {type(row).__name__}")
        out.append((n, row))
    return out


def load_answers(path: Path) -> list[AnswerRow]:
    rows = []
    for n, row in _rows(path):
        if "label" not in row and "grounded" in row:  # the older development format
            row = {**row, "label": "grounded" if row["grounded"] else "hallucinated"}
        try:
            rows.append(AnswerRow.model_validate({"id": f"{path.stem}:{n}", **row}))
        except ValidationError as exc:
            raise BadRow(f"{path}:{n}: {_first_error(exc)}") from exc
    return rows


def load_messages(path: Path) -> list[MessageRow]:
    rows = []
    for n, row in _rows(path):
        if "message" not in row and "text" in row:  # the older development format: any signal escalates
            row = {**row, "message": row["text"], "escalate": bool(row.get("labels"))}
        try:
            rows.append(MessageRow.model_validate({"id": f"{path.stem}:{n}", **row}))
        except ValidationError as exc:
            raise BadRow(f"{path}:{n}: {_first_error(exc)}") from exc
    return rows


def _first_error(exc: ValidationError) -> str:
    e = exc.errors()[0]
    where = ".".join(str(p) for p in e["loc"]) or "row"
    return f"{where}: {e['msg']}"


@dataclass
class AnswerResult:
    row: AnswerRow
    flagged: list[tuple[str, float, str]]  # (sentence, score, reason)
    ms: float
    cpu_ms: float = 0.0

    @property
    def predicted(self) -> bool:
        return bool(self.flagged)


@dataclass
class Report:
    """Scores of one file, its per-answer timings and, for the judge, its cost."""

    scores: Scores
    timings_ms: list[float] = field(default_factory=list)
    # CPU time of the checking thread: what a check costs, whatever else the machine is running.
    cpu_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cost: dict[str, float] = field(default_factory=dict)
    by_lang: dict[str, Scores] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        s = self.scores
        out: dict[str, Any] = {
            "n": s.tp + s.fp + s.fn + s.tn,
            "precision": round(s.precision, 3),
            "recall": round(s.recall, 3),
            "f1": round(s.f1, 3),
            "tp": s.tp,
            "fp": s.fp,
            "fn": s.fn,
            "tn": s.tn,
        }
        if self.timings_ms:
            out["ms_p50"] = round(percentile(self.timings_ms, 50), 3)
            out["ms_p99"] = round(percentile(self.timings_ms, 99), 3)
        if self.cpu_ms:
            out["cpu_ms_p50"] = round(percentile(self.cpu_ms, 50), 3)
            out["cpu_ms_p99"] = round(percentile(self.cpu_ms, 99), 3)
        if self.cost:
            out["cost"] = self.cost
        if self.by_lang:
            out["by_lang"] = {
                k: {"n": v.tp + v.fp + v.fn + v.tn, "f1": round(v.f1, 3)} for k, v in self.by_lang.items()
            }
        return out


def percentile(values: list[float], p: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[min(98, max(0, int(p) - 1))]


async def judge_answer(row: AnswerRow, method: GuardMethod, threshold: float) -> AnswerResult:
    sources = [Source(id=f"s{i}", title="", snippet=s) for i, s in enumerate(row.sources)]
    flagged = []
    start, cpu = time.perf_counter(), time.thread_time()
    for sentence in split_sentences(row.answer):
        verdict = await method.check(sentence.text, sources, row.answer[: sentence.end], question=row.question)
        if verdict.score >= threshold:
            flagged.append((sentence.text, verdict.score, verdict.reason))
    return AnswerResult(row, flagged, (time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000)


async def score_answers(rows: list[AnswerRow], method: GuardMethod) -> Report:
    threshold = GuardPolicy().threshold
    warm(LANGUAGES)  # as a service does at start (GUARD_LANGUAGES, all of them by default)
    if rows:  # load what the first check loads lazily (dictionaries, caches) outside the timings
        await judge_answer(rows[0], method, threshold)
    if isinstance(method, LlmJudgeMethod):
        method.sentences = method.calls = method.prompt_tokens = method.completion_tokens = method.prompt_chars = 0
    results = [await judge_answer(row, method, threshold) for row in rows]
    report = Report(score([(r.predicted, r.row.label == "hallucinated") for r in results]))
    report.timings_ms = [r.ms for r in results]
    report.cpu_ms = [r.cpu_ms for r in results]
    report.by_lang = _by_lang([(r.row.lang, r.predicted, r.row.label == "hallucinated") for r in results])
    for r in results:
        if r.predicted != (r.row.label == "hallucinated"):
            what = "false flag" if r.predicted else "missed"
            flagged = "; ".join(f"{s!r} ({reason})" for s, _, reason in r.flagged)
            report.errors.append(f"[{r.row.id} {r.row.kind}] {what}: {r.row.answer!r} {flagged}")
    if isinstance(method, LlmJudgeMethod) and rows:
        report.cost = {
            "sentences_per_reply": round(method.sentences / len(rows), 2),
            "calls_per_reply": round(method.calls / len(rows), 2),
            "prompt_tokens_per_reply": round(method.prompt_tokens / len(rows), 1),
            "completion_tokens_per_reply": round(method.completion_tokens / len(rows), 1),
            "prompt_chars_per_reply": round(method.prompt_chars / len(rows), 1),
        }
    return report


def _by_lang(triples: list[tuple[str, bool, bool]]) -> dict[str, Scores]:
    langs = sorted({lang or "en" for lang, _, _ in triples})
    if langs == ["en"]:
        return {}
    return {lang: score([(p, e) for lg, p, e in triples if (lg or "en") == lang]) for lang in langs}


async def decides_handoff(row: MessageRow) -> bool:
    """Replay the history and the message through the monitor with the default rules."""
    from guards.sentiment.service import SentimentMonitor

    monitor = SentimentMonitor(MemoryMoodStore(), TenantRules(TenantDirectory(tenants=[])))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    texts = [*row.history, row.message]
    events: list[Any] = []
    for i, text in enumerate(texts):
        message = UserMessage(
            id=f"e{i}",
            tenant_id="eval",
            conversation_id="c",
            message_id=f"m{i}",
            client_id=f"m{i}",
            visitor_id="v",
            text=text,
            ts=start + timedelta(seconds=REPLAY_GAP_S * i),
        )
        events = await monitor.process(message)
    return any(isinstance(e, HandoffRequested) for e in events)


async def score_messages(rows: list[MessageRow]) -> Report:
    warm(LANGUAGES)
    predicted = []
    timings = []
    cpu_ms = []
    for row in rows:
        start, cpu = time.perf_counter(), time.thread_time()
        predicted.append(await decides_handoff(row))
        timings.append((time.perf_counter() - start) * 1000)
        cpu_ms.append((time.thread_time() - cpu) * 1000)
    report = Report(score([(p, r.escalate) for p, r in zip(predicted, rows, strict=True)]), timings, cpu_ms)
    report.by_lang = _by_lang([(r.lang, p, r.escalate) for p, r in zip(predicted, rows, strict=True)])
    for p, r in zip(predicted, rows, strict=True):
        if p != r.escalate:
            what = "false alarm" if p else "missed"
            report.errors.append(f"[{r.id}] {what}: {r.message!r} after {r.history!r}")
    return report


def table(name: str, report: Report) -> str:
    s = report.scores
    line = (
        f"{name:<34} n={s.tp + s.fp + s.fn + s.tn:<4} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}  "
        f"tp={s.tp} fp={s.fp} fn={s.fn} tn={s.tn}"
    )
    if report.timings_ms:
        wall, cpu = report.timings_ms, report.cpu_ms or [0.0]
        line += (
            f"  per item ms p50={percentile(wall, 50):.2f} p99={percentile(wall, 99):.2f}"
            f" (cpu p50={percentile(cpu, 50):.2f} p99={percentile(cpu, 99):.2f})"
        )
    lines = [line]
    for lang, ls in report.by_lang.items():
        lines.append(f"    {lang:<4} n={ls.tp + ls.fp + ls.fn + ls.tn:<4} P={ls.precision:.3f} R={ls.recall:.3f}")
    if report.cost:
        lines.append("    judge cost per reply: " + ", ".join(f"{k}={v}" for k, v in report.cost.items()))
    return "\n".join(lines)
