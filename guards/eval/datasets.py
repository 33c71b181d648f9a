"""The labeled development sets: built from the hand-written cases, stored as JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from guards.eval import _heldout_cases
from guards.eval._hallucination_cases import NON_CLAIMS, TOPICS
from guards.eval._monitor_cases import CASES

DATA = Path(__file__).parent / "data"
HALLUCINATION_FILE = DATA / "hallucination.jsonl"
MONITOR_FILE = DATA / "monitor.jsonl"
# Written after tuning and never tuned on: the honest estimate.
HELDOUT_HALLUCINATION_FILE = DATA / "heldout_hallucination.jsonl"
HELDOUT_MONITOR_FILE = DATA / "heldout_monitor.jsonl"
MONITOR_LABELS = ("ask_human", "anger", "profanity", "repeated_failure")


class HallucinationCase(BaseModel):
    id: str
    topic: str
    kind: str = Field(description="paraphrase, combined, non_claim; or wrong_number, wrong_name, negation, invented.")
    grounded: bool
    answer: str
    sources: list[str]
    bad_sentence: str | None = Field(None, description="The unsupported sentence of an ungrounded answer.")


class MonitorCase(BaseModel):
    id: str
    text: str
    labels: list[str]
    history: list[str] = Field(default_factory=list, description="The visitor's earlier messages.")


def build_hallucination(topics: list = TOPICS, non_claims: list = NON_CLAIMS) -> list[HallucinationCase]:  # type: ignore[type-arg]
    cases: list[HallucinationCase] = []
    for t, (topic, sources, grounded, ungrounded) in enumerate(topics):
        slug = topic.replace(" ", "-")
        for i, answer in enumerate(grounded):
            cases.append(HallucinationCase(id=f"{slug}-g{i}", topic=topic, kind="paraphrase", grounded=True,
                                           answer=answer, sources=sources))  # fmt: skip
        cases.append(HallucinationCase(id=f"{slug}-all", topic=topic, kind="combined", grounded=True,
                                       answer=" ".join(grounded), sources=sources))  # fmt: skip
        for i, (kind, bad) in enumerate(ungrounded):
            # Real replies mix right and wrong: half the wrong sentences sit beside a right one.
            if (t + i) % 2 == 0:
                answer = bad
            elif i % 2:
                answer = f"{grounded[(i + 1) % len(grounded)]} {bad}"
            else:
                answer = f"{bad} {grounded[(i + 2) % len(grounded)]}"
            cases.append(HallucinationCase(id=f"{slug}-u{i}", topic=topic, kind=kind, grounded=False,
                                           answer=answer, sources=sources, bad_sentence=bad))  # fmt: skip
    for i, (sources, answer) in enumerate(non_claims):
        cases.append(HallucinationCase(id=f"non-claim-{i}", topic="chatter", kind="non_claim", grounded=True,
                                       answer=answer, sources=sources))  # fmt: skip
    return cases


def build_monitor(cases: list = CASES) -> list[MonitorCase]:  # type: ignore[type-arg]
    return [
        MonitorCase(id=f"m{i:03d}", text=t, labels=labels, history=history)
        for i, (t, labels, history) in enumerate(cases)
    ]


def write(path: Path, rows: list[BaseModel]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r.model_dump(), ensure_ascii=False) + "\n" for r in rows))


def build() -> None:
    write(HALLUCINATION_FILE, build_hallucination())  # type: ignore[arg-type]
    write(MONITOR_FILE, build_monitor())  # type: ignore[arg-type]
    heldout = build_hallucination(_heldout_cases.TOPICS, _heldout_cases.NON_CLAIMS)
    write(HELDOUT_HALLUCINATION_FILE, heldout)  # type: ignore[arg-type]
    write(HELDOUT_MONITOR_FILE, build_monitor(_heldout_cases.CASES))  # type: ignore[arg-type]


def load_hallucination(path: Path = HALLUCINATION_FILE) -> list[HallucinationCase]:
    return [HallucinationCase.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]


def load_monitor(path: Path = MONITOR_FILE) -> list[MonitorCase]:
    return [MonitorCase.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]
