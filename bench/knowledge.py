"""Knowledge retrieval: quality (recall@3 on labeled questions) and cost, new index next to the old one.

- new: shared.knowledge (bm25s over simplemma lemmas in the documents' language);
- old: the hand-written index the orchestrator used before (bench/retrieval_baseline.py:
  regex words, a crude English stemmer, BM25 by hand).

Questions: bench/data/knowledge_questions.yaml, over the three demo tenants' knowledge bases
(English) and a Spanish shop written for the bench (bench/data/kb/tienda). Reported per index:

- recall@1 / recall@3: a passage that answers the question is first / in the top 3 of
  ``search`` (what the orchestrator's retrieve node returns, MIN_SCORE applied);
- offline answers: what the offline answerer would do (orchestrator.providers.offline: quote
  the best passage when it covers the question, else "I don't know"): right = quotes an
  answering passage; abstains = says "I don't know" to a question nothing answers;
- index build: every knowledge base indexed from its files (p50/p99 over rounds; the new
  index's first build, which loads the lemma dictionaries once per process, is given apart);
- query: one ``search`` (p50/p99 over every question and round; caches of lemmas and
  language detection cleared before each, as for a question never seen).

Run alone: `python -m bench.knowledge [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from bench import retrieval_baseline
from bench.stats import summary_ms, table
from shared import languages
from shared.events import Source
from shared.knowledge import index as new_index
from shared.knowledge.chunk import chunk
from shared.settings import REPO_ROOT

QUESTIONS = REPO_ROOT / "bench" / "data" / "knowledge_questions.yaml"
KB_DIRS = {
    "acme": REPO_ROOT / "deploy" / "demo" / "kb" / "acme",
    "globex": REPO_ROOT / "deploy" / "demo" / "kb" / "globex",
    "initech": REPO_ROOT / "deploy" / "demo" / "kb" / "initech",
    "tienda": REPO_ROOT / "bench" / "data" / "kb" / "tienda",
}
MIN_COVERAGE = 0.5  # orchestrator.providers.offline.MIN_COVERAGE (not imported: it pulls the graph)
# Each knowledge base's passage titles by id (the ids the questions name).
TITLES = {
    name: {p.id: p.title for doc in sorted(path.glob("*.md")) for p in chunk(doc.read_text(), doc.stem)}
    for name, path in KB_DIRS.items()
}


class Index(Protocol):
    def search(self, query: str, limit: int = 3) -> list[Source]: ...
    def coverage(self, query: str, passage_id: str) -> float: ...


@dataclass(frozen=True)
class Question:
    kb: str
    text: str
    expect: tuple[str, ...]


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    return [Question(q["kb"], q["q"], tuple(q["expect"])) for q in yaml.safe_load(path.read_text())]


def _clear_query_caches() -> None:
    languages.detect_among.cache_clear()
    languages._lemma.cache_clear()


def quality(indexes: dict[str, Index], questions: list[Question]) -> dict[str, Any]:
    """Recall@1, recall@3 and the offline answerer's decisions, overall and per language."""
    rows: dict[str, dict[str, int]] = {}
    for q in questions:
        group = "es" if q.kb == "tienda" else "en"
        index = indexes[q.kb]
        sources = index.search(q.text, limit=3)
        quotes = bool(sources) and index.coverage(q.text, sources[0].id) >= MIN_COVERAGE
        # Passages compared by title: the old index slugged "Envío" to "env-o", the new to "envio".
        found = [s.title for s in sources]
        expect = {TITLES[q.kb][e] for e in q.expect}
        for key in (group, "all"):
            row = rows.setdefault(key, dict.fromkeys(("n", "at1", "at3", "right", "none", "abstain"), 0))
            if q.expect:
                row["n"] += 1
                row["at1"] += bool(found) and found[0] in expect
                row["at3"] += any(f in expect for f in found)
                row["right"] += quotes and found[0] in expect
            else:
                row["none"] += 1
                row["abstain"] += not quotes
    out: dict[str, Any] = {}
    for key, row in rows.items():
        n = max(row["n"], 1)
        out[key] = {
            "questions": row["n"],
            "recall_at_1": round(row["at1"] / n, 3),
            "recall_at_3": round(row["at3"] / n, 3),
            "offline_right": round(row["right"] / n, 3),
            "unanswerable": row["none"],
            "abstains": row["abstain"],
        }
    return out


def build_times(build: Callable[[Path], Index], rounds: int) -> tuple[dict[str, Index], list[float]]:
    times: list[float] = []
    indexes: dict[str, Index] = {}
    for _ in range(rounds):
        started = time.perf_counter()
        indexes = {name: build(path) for name, path in KB_DIRS.items()}
        times.append(time.perf_counter() - started)
    return indexes, times


def query_times(indexes: dict[str, Index], questions: list[Question], rounds: int) -> list[float]:
    times: list[float] = []
    for _ in range(rounds):
        for q in questions:
            _clear_query_caches()
            started = time.perf_counter()
            indexes[q.kb].search(q.text, limit=3)
            times.append(time.perf_counter() - started)
    return times


def run(quick: bool = False) -> dict[str, Any]:
    questions = load_questions()
    rounds = 3 if quick else 20
    started = time.perf_counter()
    new_first = {name: new_index.KnowledgeBase.from_directory(path) for name, path in KB_DIRS.items()}
    first_build_s = time.perf_counter() - started
    assert new_first
    builders: dict[str, Callable[[Path], Index]] = {
        "old": retrieval_baseline.KnowledgeBase.from_directory,
        "new": new_index.KnowledgeBase.from_directory,
    }
    results: dict[str, Any] = {"questions": len(questions), "new_first_build_ms": round(first_build_s * 1000, 1)}
    for name, build in builders.items():
        indexes, builds = build_times(build, rounds)
        results[name] = {
            "quality": quality(indexes, questions),
            "index_build": summary_ms(builds),
            "query": summary_ms(query_times(indexes, questions, rounds)),
            "passages": sum(len(getattr(i, "passages", [])) for i in indexes.values()),
        }
    return results


def report(results: dict[str, Any]) -> str:
    rows: list[tuple[str, ...]] = [("index", "set", "n", "recall@1", "recall@3", "offline right", "abstains")]
    for name in ("old", "new"):
        for group in ("en", "es", "all"):
            q = results[name]["quality"][group]
            rows.append(
                (
                    name,
                    group,
                    str(q["questions"]),
                    f"{q['recall_at_1']:.2f}",
                    f"{q['recall_at_3']:.2f}",
                    f"{q['offline_right']:.2f}",
                    f"{q['abstains']}/{q['unanswerable']}",
                )
            )
    cost: list[tuple[str, ...]] = [("index", "build all KBs p50", "p99", "query p50", "p99", "passages")]
    for name in ("old", "new"):
        r = results[name]
        cost.append(
            (
                name,
                f"{r['index_build']['p50_ms']:.2f} ms",
                f"{r['index_build']['p99_ms']:.2f} ms",
                f"{r['query']['p50_ms']:.3f} ms",
                f"{r['query']['p99_ms']:.3f} ms",
                str(r["passages"]),
            )
        )
    first = "new index, first build in this process (loads the en and es lemma dictionaries): "
    first += f"{results['new_first_build_ms']} ms"
    return f"{table(rows)}\n\n{table(cost)}\n{first}"


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results = await asyncio.to_thread(run, args.quick)
    print(report(results), flush=True)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.knowledge", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(asyncio.run(main(parser.parse_args())) and "")
