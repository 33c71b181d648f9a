"""Lexical analysis for the offline grounding check: tokens, stems, numbers, names, polarity."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from guards.lexicon import ANTONYMS, CHATTER, NEGATIONS, NUMBER_WORDS, STOPWORDS, SYNONYMS

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")
_NUMBER = re.compile(
    r"(?<![\w.])[$€£]?\s?(\d{1,3}(?:,\d{3})+|\d+)(?:[.:](\d+))?\s?(%|percent|am|pm|a\.m\.|p\.m\.|k|st|nd|rd|th)?",
    re.IGNORECASE,
)
_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ness", "ings", "ing", "able", "ible", "ies", "ied",
             "ed", "es", "ly", "s")  # fmt: skip
# Number words that usually are not quantities ("one of our agents", "the first step").
_SOFT_NUMBER_WORDS = frozenset({"one", "first", "once", "single", "second", "half", "double"})


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.replace("-", "")
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith(("ss", "us", "is"))):
            w = w[: -len(suffix)]
            if suffix in ("ies", "ied"):
                w += "y"
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "ls":
        w = w[:-1]  # shipp -> ship
    return w


def _build_synonyms() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group in SYNONYMS:
        stems = {stem(w) for phrase in group for w in phrase.split()}
        for s in stems:
            index.setdefault(s, set()).update(stems)
    return {k: frozenset(v) for k, v in index.items()}


SYNONYM_STEMS = _build_synonyms()
ANTONYM_STEMS = {
    **{stem(a): stem(b) for a, b in ANTONYMS},
    **{stem(b): stem(a) for a, b in ANTONYMS},
}


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def is_content(word: str) -> bool:
    w = word.lower().replace("’", "'")
    return w not in STOPWORDS and w not in CHATTER and w not in NEGATIONS and w not in NUMBER_WORDS and len(w) > 1


def content_stems(text: str) -> list[str]:
    return [stem(w) for w in words(text) if is_content(w)]


def stems_match(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long_.startswith(short)


@lru_cache(maxsize=65536)
def variants(word_stem: str) -> frozenset[str]:
    """The stem and the stems of its synonyms (matching synonym entries by morphology too)."""
    found = {word_stem}
    for key, group in SYNONYM_STEMS.items():
        if stems_match(word_stem, key):
            found |= group
    return frozenset(found)


def supported(word_stem: str, vocabulary: frozenset[str] | set[str]) -> bool:
    """A stem is supported by a vocabulary if it, a morphological variant or a synonym occurs there."""
    if word_stem in vocabulary:
        return True
    return any(stems_match(c, v) for c in variants(word_stem) for v in vocabulary)


def _number_value(whole: str, frac: str | None, unit: str | None) -> str:
    value = float(whole.replace(",", "") + (f".{frac}" if frac else ""))
    u = (unit or "").lower().replace(".", "")
    if u == "k":
        value *= 1000
    if unit and ":" in unit:
        pass
    if u == "pm" and value < 12:
        value += 12
    text = f"{value:g}"
    return text + ("%" if u in ("%", "percent") else "")


def numbers(text: str, claims_only: bool = False) -> set[str]:
    """Normalised numbers in a text: '$1,299.00' -> '1299', '9pm' -> '21', 'thirty' -> '30', '15%' -> '15%'."""
    found: set[str] = set()
    for m in _NUMBER.finditer(text):
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        sep = text[m.start(1) + len(whole) : m.start(1) + len(whole) + 1]
        if sep == ":" and frac is not None:  # clock time 9:00 / 5:30
            hours = float(whole) + (12 if (unit or "").lower().startswith("p") and float(whole) < 12 else 0)
            found.add(f"{hours + int(frac) / 60:g}")
            continue
        found.add(_number_value(whole, frac, unit))
        if (unit or "").lower() in ("%", "percent"):
            found.add(_number_value(whole, frac, None))
    for w in words(text):
        lw = w.lower()
        if lw in NUMBER_WORDS and not (claims_only and lw in _SOFT_NUMBER_WORDS):
            found.add(f"{NUMBER_WORDS[lw]:g}")
    if claims_only:
        # Percent variants added for matching only.
        found = {n for n in found if not (n + "%" in found and not n.endswith("%"))}
    return found


_NAME_SKIP = frozenset({"i", "i'm", "i've", "i'll", "i'd", "ok", "okay"})


def names(text: str) -> set[str]:
    """Capitalised words that are not sentence-initial: product names, people, places, brands."""
    found: set[str] = set()
    tokens = list(re.finditer(r"\S+", text))
    for k, tok in enumerate(tokens):
        raw = tok.group(0).strip("\"'()[]{}*_,;:!?.“”‘’")
        if not raw or not raw[0].isupper() or raw.lower() in _NAME_SKIP:
            continue
        prev = tokens[k - 1].group(0) if k else ""
        if k == 0 or prev.endswith((".", "!", "?", ":", "\n")) or prev in ("-", "*", "•"):
            continue
        if raw.isupper() and len(raw) <= 1:
            continue
        for part in re.split(r"[-/’']", raw):
            if part and part[0].isupper() and part.lower() not in STOPWORDS:
                found.add(part.lower())
    return found


def polarity(text: str) -> int:
    """1 if the text states something, -1 if it denies it (odd number of negation cues)."""
    cues = 0
    for w in words(text):
        lw = w.lower().replace("’", "'")
        if lw in NEGATIONS or lw.endswith("n't") or lw.startswith(("non-", "un-")):
            cues += 1
    return -1 if cues % 2 else 1


_CLAUSE = re.compile(r"[;,:()\u2014\u2013]|\s-\s|\b(?:but|however|although|though|whereas|while|except|unless)\b", re.I)


def clauses(text: str) -> list[str]:
    parts = [p.strip() for p in _CLAUSE.split(text)]
    return [p for p in parts if p and content_stems(p)]


@dataclass(frozen=True)
class Passage:
    """A source prepared for matching: its vocabulary, numbers, names and clauses."""

    text: str
    vocabulary: frozenset[str]
    lowered_words: frozenset[str]
    numbers: frozenset[str]
    clauses: tuple[str, ...]


def prepare(texts: list[str]) -> Passage:
    joined = "\n".join(texts)
    from guards.sentences import split_sentences

    parts: list[str] = []
    for s in split_sentences(joined):
        parts.append(s.text)
        parts.extend(c for c in clauses(s.text) if c != s.text)
    return Passage(
        text=joined,
        vocabulary=frozenset(stem(w) for w in words(joined)),
        lowered_words=frozenset(w.lower() for w in words(joined)) | frozenset(stem(w) for w in words(joined)),
        numbers=frozenset(numbers(joined)),
        clauses=tuple(parts),
    )
