"""A tenant's knowledge index: BM25 (bm25s) over simplemma lemmas, in the documents' own language.

Each document's language is detected once (lingua, shared.languages) and its words reduced to
lemmas in that language ("boxes" -> "box", "envíos" -> "envío"), stopwords dropped (English: the
list below; others: the stop-words package). A question is read in its own language (the
index's main language when it is too short to tell). English questions are widened with a few
synonyms ("how long" -> days, weeks) counting EXPANSION_WEIGHT of the visitor's own words.

Scores are classic BM25 (k1 1.2, b 0.75, Lucene idf, (k1 + 1) in the numerator): a passage
scoring below MIN_SCORE is not relevant, and ``coverage`` says how much of a question's own
words the best passage holds, which the offline answerer uses to say "I don't know".
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from shared.events import Source
from shared.knowledge.chunk import Passage, chunk
from shared.knowledge.convert import UnsupportedDocument, convert
from shared.languages import LANGUAGES, detect_among, lemma, ready, stopwords, warm

log = logging.getLogger(__name__)

WORD_RE = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*")
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
K1, B = 1.2, 0.75

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
ALL_LANGUAGES = frozenset(LANGUAGES)
# A document is read in another language than English only when lingua is this sure of it.
DOCUMENT_CONFIDENCE = 0.9
# What a knowledge directory may hold (converted with shared.knowledge.convert).
DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")


def _stopwords(lang: str) -> frozenset[str]:
    return STOPWORDS if lang == "en" else stopwords(lang)


def tokenize(text: str, lang: str = "en") -> list[str]:
    """Lemmas of the words of ``text`` that are not stopwords, read in ``lang``."""
    stop = _stopwords(lang)
    lemmas = (lemma(w, lang) for w in WORD_RE.findall(text.lower()) if w not in stop)
    return [w for w in lemmas if w not in stop]  # "cuántos" -> "cuánto": a stopword too


def query_terms(query: str, lang: str = "en") -> dict[str, float]:
    """The question's lemmas with their weights: the visitor's words 1.0, synonyms EXPANSION_WEIGHT."""
    terms = dict.fromkeys(tokenize(query, lang), 1.0)
    if lang == "en":
        for word in WORD_RE.findall(query.lower()):
            for extra in tokenize(SYNONYMS.get(word, ""), "en"):
                terms.setdefault(extra, EXPANSION_WEIGHT)
    return terms


def split_markdown(doc_id: str, markdown: str) -> list[Passage]:
    """One passage per section (shared.knowledge.chunk)."""
    return chunk(markdown, doc_id)


@dataclass(frozen=True)
class Document:
    """One document's passages and the language they are written in."""

    passages: list[Passage]
    lang: str

    @classmethod
    def of(cls, doc_id: str, markdown: str) -> Document:
        passages = chunk(markdown, doc_id)
        lang = detect_among(" ".join(p.text for p in passages)[:4000], ALL_LANGUAGES, "en", DOCUMENT_CONFIDENCE)
        return cls(passages, lang)


class KnowledgeBase:
    """A BM25 index over passages; ``langs`` holds each passage's language (English if not given)."""

    def __init__(self, passages: list[Passage], langs: list[str] | None = None) -> None:
        self.passages = passages
        self.langs = langs or ["en"] * len(passages)
        present = Counter(self.langs)
        self.language = present.most_common(1)[0][0] if present else "en"
        self.languages = frozenset(present) or frozenset({"en"})
        # Dictionaries load once per process (0.5-9 s): indexing waits for them, so every lemma
        # in the index is a real one.
        if missing := [lang for lang in present if lang in LANGUAGES and not ready(lang)]:
            warm(missing)
        self.tokens = [
            tokenize(f"{_doc_title(p)} {_heading(p)} {_heading(p)} {p.text}", lang)
            for p, lang in zip(passages, self.langs, strict=True)
        ]
        self._by_id = {p.id: i for i, p in enumerate(passages)}
        df: Counter[str] = Counter()
        for tokens in self.tokens:
            df.update(set(tokens))
        n = len(passages)
        self.idf = {term: math.log(1 + (n - f + 0.5) / (f + 0.5)) for term, f in df.items()}
        self._bm25: bm25s.BM25 | None = None
        if passages:
            self._bm25 = bm25s.BM25(k1=K1, b=B, method="atire", idf_method="lucene")
            self._bm25.index([t or [""] for t in self.tokens], show_progress=False)

    @classmethod
    def from_documents(cls, documents: list[Document]) -> KnowledgeBase:
        passages = [p for d in documents for p in d.passages]
        return cls(passages, [d.lang for d in documents for _ in d.passages])

    @classmethod
    def from_directory(cls, directory: Path) -> KnowledgeBase:
        documents = []
        for path in _documents(directory):
            try:
                markdown = (
                    path.read_text(encoding="utf-8") if path.suffix == ".md" else convert(path.read_bytes(), path.name)
                )
            except (OSError, UnsupportedDocument) as exc:
                log.warning("knowledge file %s skipped: %s", path, exc)
                continue
            documents.append(Document.of(path.stem, markdown))
        return cls.from_documents(documents)

    def query_language(self, query: str) -> str:
        """The language to read ``query`` in: one of the documents' languages."""
        return detect_among(query, self.languages, self.language)

    def _scores(self, terms: list[str]) -> np.ndarray:
        assert self._bm25 is not None
        ids = self._bm25.get_tokens_ids([t for t in terms if t])
        if not ids:
            return np.zeros(len(self.passages), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(ids), dtype=np.float32)

    def score(self, query: str) -> list[tuple[float, Passage]]:
        """Every passage sharing a word with the question, best first, with its BM25 score."""
        if self._bm25 is None:
            return []
        terms = query_terms(query, self.query_language(query))
        own = [t for t, w in terms.items() if w == 1.0]
        extra = [t for t, w in terms.items() if w != 1.0]
        scores = self._scores(own)
        if extra:
            scores = scores + EXPANSION_WEIGHT * self._scores(extra)
        order = np.argsort(-scores, kind="stable")
        return [(float(scores[i]), self.passages[i]) for i in order if scores[i] > 0]

    def coverage(self, query: str, passage_id: str) -> float:
        """How much of the visitor's own words (weighted by rarity) the passage contains, 0-1.

        A word the knowledge base never uses weighs as much as its rarest word: "do you sell
        kayaks" matched on "sell" alone covers little, because "kayaks" is nowhere.
        """
        index = self._by_id.get(passage_id)
        terms = query_terms(query, self.query_language(query))
        vague = {lemma(w, "en") for w in VAGUE_WORDS} | VAGUE_WORDS
        own = [t for t, w in terms.items() if w == 1.0 and t not in vague]
        if index is None or not own:
            return 0.0
        rarest = max(self.idf.values(), default=1.0)
        tokens = set(self.tokens[index])
        total = sum(self.idf.get(t, rarest) for t in own)
        return sum(self.idf.get(t, rarest) for t in own if t in tokens) / total

    def search(self, query: str, limit: int = 3, min_score: float = MIN_SCORE) -> list[Source]:
        return [p.source(s) for s, p in self.score(query)[:limit] if s >= min_score]


def _doc_title(passage: Passage) -> str:
    return passage.title.split(": ", 1)[0]


def _heading(passage: Passage) -> str:
    return passage.title.split(": ", 1)[1] if ": " in passage.title else ""


def _documents(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file())


_CACHE: dict[Path, tuple[object, KnowledgeBase]] = {}


def knowledge_base(directory: Path | None) -> KnowledgeBase:
    """The index of ``directory``, rebuilt when a file in it changes; empty when there is none."""
    if directory is None or not directory.is_dir():
        return KnowledgeBase([])
    stamp = [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in _documents(directory)]
    cached = _CACHE.get(directory)
    if cached is None or cached[0] != stamp:
        cached = (stamp, KnowledgeBase.from_directory(directory))
        _CACHE[directory] = cached
    return cached[1]


def prebuild(directories: list[Path | None]) -> None:
    """Index these directories now (a service's start, in a thread): the first question does not
    wait for the lemma dictionaries (~1.5 s for English) and the index."""
    for directory in directories:
        knowledge_base(directory)


def retrieve(directory: Path | None, query: str, limit: int = 3) -> list[Source]:
    return knowledge_base(directory).search(query, limit=limit)
