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


def supported(word_stem: str, vocabulary: frozenset[str]) -> bool:
    """A stem is supported by a vocabulary if it, a morphological variant or a synonym occurs there."""
    if word_stem in vocabulary:
        return True
    return _supported(word_stem, vocabulary)


@lru_cache(maxsize=262144)
def _supported(word_stem: str, vocabulary: frozenset[str]) -> bool:
    # Cached: a reply's sentences are checked against the same few source vocabularies.
    return any(stems_match(c, v) for c in variants(word_stem) for v in vocabulary)


@lru_cache(maxsize=4096)
def vocabulary_of(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text))


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
    for w in re.findall(r"[A-Za-z]+", text):
        lw = w.lower()
        if lw in NUMBER_WORDS and not (claims_only and lw in _SOFT_NUMBER_WORDS):
            found.add(f"{NUMBER_WORDS[lw]:g}")
    if claims_only:
        # Percent variants added for matching only.
        found = {n for n in found if not (n + "%" in found and not n.endswith("%"))}
    return found


_NUM = r"(?:\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_QUANTITY = re.compile(
    rf"(?<![\w.])[$€£]?({_NUM})(?:\s*(?:-|to|and|or)\s*[$€£]?({_NUM}))?(?![\w.,]\d)"
    r"(?:\s*%|\s*percent)?[\s-]+(?:per\s+|an?\s+)?([A-Za-z]+)",
    re.IGNORECASE,
)


_LOOSE = re.compile(rf"(?<![\w.])[$€£]?({_NUM})(?=\s*(?:[.,;:)!?]\s|[.,;:)!?]?$))", re.IGNORECASE | re.MULTILINE)


def loose_numbers(text: str) -> set[str]:
    """Numbers with no unit after them ("... for $17.99."): they may go with any unit."""
    found: set[str] = set()
    for m in _LOOSE.finditer(text):
        found |= numbers(m.group(1))
    return found


def quantities(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs: '3 to 5 business days' -> {('3','business'),('5','business')}, '2-hour' -> ('2','hour')."""
    found: set[tuple[str, str]] = set()
    for m in _QUANTITY.finditer(text):
        unit = m.group(3).lower()
        if not is_content(unit) or unit in NUMBER_WORDS:
            continue
        for raw in (m.group(1), m.group(2)):
            if raw is None:
                continue
            value = numbers(raw)
            if raw[0].isdigit() or raw.lower() in NUMBER_WORDS:
                found.update((v, stem(unit)) for v in value)
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


_FREE = re.compile(
    r"\b(?:free of charge|at no (?:extra |additional )?(?:charge|cost)|no (?:extra |additional )?(?:charge|cost)|"
    r"without (?:any )?(?:charge|cost)|costs? nothing|for free)\b",
    re.IGNORECASE,
)


def canonical(text: str) -> str:
    """Rewrite idioms whose negation words state no negation ("at no charge" means "free")."""
    return _FREE.sub("free", text)


def _is_negation(word: str) -> bool:
    lw = word.lower().replace("’", "'")
    return lw in NEGATIONS or lw.endswith("n't") or lw.startswith(("non-", "un-"))


def polarity(text: str) -> int:
    """-1 if the text denies something (any negation cue; "no X and no Y" is still a denial), else 1."""
    return -1 if any(_is_negation(w) for w in words(canonical(text))) else 1


def negated(text: str) -> set[str]:
    """Stems of the first content words after each negation cue: what is being denied."""
    tokens = words(canonical(text))
    found: set[str] = set()
    for i, w in enumerate(tokens):
        if _is_negation(w):
            taken = 0
            for nxt in tokens[i + 1 : i + 7]:
                if is_content(nxt):
                    found.add(stem(nxt))
                    taken += 1
                    if taken == 3:
                        break
            if w.lower().startswith(("non-", "un-")):
                found.add(stem(w.split("-", 1)[1]))
    return found


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
