"""The offline digest: title from the first visitor message, an extractive summary, keyword tags."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

TITLE_MAX = 60
SUMMARY_SENTENCES = 3
TAGS_MAX = 5

_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_STOPWORDS_TEXT = """
a about above after again all also am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers him his how
i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out over own
please same she should so some such than thank thanks that the their them then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your yours hi
hello hey yes ok okay sure like get got want need know let tell say said one answer question according sources
source based
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@dataclass(frozen=True)
class Turn:
    role: str
    text: str


@dataclass(frozen=True)
class Digest:
    title: str
    summary: str
    tags: list[str] = field(default_factory=list)


def words(text: str) -> list[str]:
    return [w.lower().strip("'-") for w in _WORD.findall(text)]


def title_from(turns: list[Turn]) -> str:
    """The first visitor message, on one line, cut at a word boundary."""
    first = next((t.text for t in turns if t.role == "visitor" and t.text.strip()), "")
    line = " ".join(first.split())
    if len(line) <= TITLE_MAX:
        return line or "New conversation"
    cut = line[:TITLE_MAX].rsplit(" ", 1)[0] or line[:TITLE_MAX]
    return cut.rstrip(",;:.-") + "…"


def _content_counts(turns: list[Turn]) -> Counter[str]:
    return Counter(w for t in turns for w in words(t.text) if w not in STOPWORDS and len(w) > 2)


def extractive_summary(turns: list[Turn], sentences: int = SUMMARY_SENTENCES) -> str:
    """The conversation's most representative sentences (by content-word frequency), in their original order."""
    counts = _content_counts(turns)
    candidates = [s.strip() for t in turns for s in _SENTENCE.split(t.text) if len(words(s)) >= 3]
    if not candidates:
        return " ".join(" ".join(t.text.split()) for t in turns)[:500]

    def score(sentence: str) -> float:
        content = [w for w in words(sentence) if w in counts]
        return sum(counts[w] for w in content) / (len(words(sentence)) ** 0.5)

    best = sorted(range(len(candidates)), key=lambda i: (-score(candidates[i]), i))[:sentences]
    seen: set[str] = set()
    chosen = []
    for i in sorted(best):
        if candidates[i] not in seen:
            seen.add(candidates[i])
            chosen.append(candidates[i])
    return " ".join(chosen)


def keywords(turns: list[Turn], k: int = TAGS_MAX) -> list[str]:
    """The most frequent content words; what the visitor said weighs double."""
    counts = _content_counts(turns) + _content_counts([t for t in turns if t.role == "visitor"])
    return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


def offline_digest(turns: list[Turn]) -> Digest:
    return Digest(title=title_from(turns), summary=extractive_summary(turns), tags=keywords(turns))
