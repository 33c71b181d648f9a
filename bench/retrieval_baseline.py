"""The hand-written retrieval the orchestrator used before shared.knowledge (regex words, a crude English
stemmer, BM25 by hand), kept as the baseline of `python -m bench knowledge`."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from shared.events import Source

WORD_RE = re.compile(r"[a-z0-9]+(?:[.,'][a-z0-9]+)*")
_STOPWORDS_TEXT = (
    "a an and are as at be by can do does for from how i if in is it me my of on or our so that the this to "
    "was what when where which who why will with you your we us i'm get have has long much many"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# Words that say what kind of answer is wanted, not what it is about ("return policy" is about
# returns): left out when judging whether a passage covers a question.
_VAGUE_TEXT = (
    "policy info information detail question help know tell please rule option what' whats about regarding "
    "also else any there thing"
)
VAGUE_WORDS = frozenset(_VAGUE_TEXT.split())
# Below this BM25 score nothing is relevant enough to answer from.
MIN_SCORE = 1.0


def _stem(word: str) -> str:
    """A crude stemmer: enough that 'returns' finds 'return' and 'boxes' finds 'box'."""
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def tokenize(text: str) -> list[str]:
    return [_stem(w) for w in WORD_RE.findall(text.lower()) if w not in STOPWORDS]


# How visitors ask vs how help centers write: "how long" is answered in days, "how much" in
# prices and fees. Expansions count half as much as the visitor's own words.
SYNONYMS = {
    "long": "days weeks window",
    "much": "cost price fee",
    "cost": "price fee",
    "price": "cost fee",
    "fee": "cost price",
    "charge": "fee cost",
    "open": "hours",
    "hours": "open",
    "money": "refund",
    "broken": "defect warranty repair",
    "broke": "defect warranty repair",
    "lost": "stolen",
    "stolen": "lost",
    "delivery": "shipping arrive",
    "deliver": "shipping arrive",
    "ship": "shipping",
    "send": "shipping transfer",
}
EXPANSION_WEIGHT = 0.5


def query_terms(query: str) -> dict[str, float]:
    """Stemmed query terms with their weights: the visitor's words 1.0, synonyms EXPANSION_WEIGHT."""
    terms = dict.fromkeys(tokenize(query), 1.0)
    for word in WORD_RE.findall(query.lower()):
        for extra in tokenize(SYNONYMS.get(word, "")):
            terms.setdefault(extra, EXPANSION_WEIGHT)
    return terms


@dataclass
class Passage:
    id: str
    title: str
    text: str
    tokens: list[str] = field(default_factory=list)

    def source(self, score: float) -> Source:
        return Source(id=self.id, title=self.title, snippet=self.text, score=round(score, 4))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def split_markdown(doc_id: str, markdown: str) -> list[Passage]:
    """One passage per ``##`` section; the ``#`` title prefixes each passage's title."""
    doc_title = doc_id.replace("-", " ").title()
    passages: list[Passage] = []
    heading = ""
    lines: list[str] = []

    def flush() -> None:
        body = " ".join(line.strip() for line in lines if line.strip())
        if body:
            title = f"{doc_title}: {heading}" if heading else doc_title
            pid = f"{doc_id}#{_slug(heading)}" if heading else doc_id
            passages.append(Passage(pid, title, body, tokenize(f"{doc_title} {heading} {heading} {body}")))

    for line in markdown.splitlines():
        if line.startswith("# "):
            doc_title = line[2:].strip()
        elif line.startswith("## "):
            flush()
            heading, lines = line[3:].strip(), []
        else:
            lines.append(line)
    flush()
    return passages


class KnowledgeBase:
    """An in-memory BM25 index over one directory of markdown files."""

    def __init__(self, passages: list[Passage], k1: float = 1.2, b: float = 0.75) -> None:
        self.passages = passages
        self.k1, self.b = k1, b
        self.avg_len = sum(len(p.tokens) for p in passages) / max(len(passages), 1)
        df: Counter[str] = Counter()
        for p in passages:
            df.update(set(p.tokens))
        n = len(passages)
        self.idf = {term: math.log(1 + (n - f + 0.5) / (f + 0.5)) for term, f in df.items()}
        self.tf = [Counter(p.tokens) for p in passages]

    @classmethod
    def from_directory(cls, directory: Path) -> KnowledgeBase:
        passages: list[Passage] = []
        for path in sorted(directory.glob("*.md")):
            passages.extend(split_markdown(path.stem, path.read_text(encoding="utf-8")))
        return cls(passages)

    def score(self, query: str) -> list[tuple[float, Passage]]:
        terms = query_terms(query)
        scored = []
        for passage, tf in zip(self.passages, self.tf, strict=True):
            norm = self.k1 * (1 - self.b + self.b * len(passage.tokens) / max(self.avg_len, 1))
            total = sum(w * self.idf[t] * tf[t] * (self.k1 + 1) / (tf[t] + norm) for t, w in terms.items() if t in tf)
            if total > 0:
                scored.append((total, passage))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return scored

    def coverage(self, query: str, passage_id: str) -> float:
        """How much of the visitor's own words (weighted by rarity) the passage contains, 0-1.

        A word the knowledge base never uses weighs as much as its rarest word: "do you sell
        kayaks" matched on "sell" alone covers little, because "kayaks" is nowhere.
        """
        passage = next((p for p in self.passages if p.id == passage_id), None)
        own = [t for t, w in query_terms(query).items() if w == 1.0 and t not in VAGUE_WORDS]
        if passage is None or not own:
            return 0.0
        rarest = max(self.idf.values(), default=1.0)
        tokens = set(passage.tokens)
        total = sum(self.idf.get(t, rarest) for t in own)
        return sum(self.idf.get(t, rarest) for t in own if t in tokens) / total

    def search(self, query: str, limit: int = 3, min_score: float = MIN_SCORE) -> list[Source]:
        return [p.source(s) for s, p in self.score(query)[:limit] if s >= min_score]


_CACHE: dict[Path, tuple[object, KnowledgeBase]] = {}


def knowledge_base(directory: Path | None) -> KnowledgeBase:
    """The index of ``directory``, rebuilt when a file in it changes; empty when there is none."""
    if directory is None or not directory.is_dir():
        return KnowledgeBase([])
    stamp = sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in directory.glob("*.md"))
    cached = _CACHE.get(directory)
    if cached is None or cached[0] != stamp:
        cached = (stamp, KnowledgeBase.from_directory(directory))
        _CACHE[directory] = cached
    return cached[1]


def retrieve(directory: Path | None, query: str, limit: int = 3) -> list[Source]:
    return knowledge_base(directory).search(query, limit=limit)
