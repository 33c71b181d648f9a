"""Numbers in a claim: which an answer may work out from stated ones (totals, sums, counts, other
units of time), and which thing each number goes with ("O plano mensal custa 99" where the
sources give 119 for the monthly plan)."""

from __future__ import annotations

import itertools
import re

from guards.lexicon import WEAK
from guards.text import (
    SOFT_NUMBER_WORDS,
    Passage,
    content_stems,
    duration_numbers,
    durations,
    numbers,
    numeric,
    stem,
    supported,
    word_numbers,
)

_DIGIT = re.compile(r"\d")
WEAK_STEMS = frozenset(stem(w) for w in WEAK)


# A thing goes with a number at most this many words away ("plano mensal custa 119").
BIND_DISTANCE = 4


def crossed(asked: set[str], stated: set[str]) -> set[str]:
    """Products and sums of one number the visitor gave and one the sources state."""
    out: set[str] = set()
    for a in (float(v) for v in asked if not v.endswith("%")):
        for b in (float(v) for v in stated if not v.endswith("%")):
            out.update({f"{a * b:g}", f"{a + b:g}", f"{abs(a - b):g}"})
    return out


def derived(values: set[str]) -> set[str]:
    """Sums and products of two or three stated numbers: the arithmetic an answer may do for the visitor."""
    nums = sorted({float(v) for v in values if not v.endswith("%")})[:12]
    out: set[str] = set()
    for i, a in enumerate(nums):
        for j in range(i, len(nums)):
            b = nums[j]
            out.update({f"{a + b:g}", f"{a * b:g}", f"{abs(a - b):g}"})
            for c in nums[j:]:
                out.update({f"{a * b * c:g}", f"{a + b + c:g}"})
    # "3 x 39 € + 20 €", "2 x (9 € + 4 €)": a count of items and a fee, three different numbers.
    for i, j, k in itertools.permutations(range(len(nums)), 3):
        if i < j:
            a, b, c = nums[i], nums[j], nums[k]
            out.update({f"{a * b + c:g}", f"{(a + b) * c:g}"})
    return out


def counts_of(candidates: set[str], stated: set[str], claimed: set[str]) -> set[str]:
    """The small whole numbers among ``candidates`` that times a stated number give another claimed one."""
    out: set[str] = set()
    for n in candidates:
        if n.endswith("%") or not float(n).is_integer() or not 2 <= float(n) <= 12:
            continue
        products = {f"{float(n) * float(a):g}" for a in stated if not a.endswith("%")}
        if products & (claimed - {n}):
            out.add(n)
    return out


def sums(values: set[str]) -> set[str]:
    """Sums of two different stated amounts ("a check-up and a cleaning: 120 + 200 zł")."""
    nums = sorted({float(v) for v in values if not v.endswith("%")})[:16]
    return {f"{a + b:g}" for i, a in enumerate(nums) for b in nums[i + 1 :]}


def in_durations(sentence: str, passage: Passage, question: str) -> set[str]:
    """The sentence's numbers that state a length of time the sources (or the visitor) state in other
    units ("in due giorni" where the sources say "in 48 ore")."""
    stated = durations(passage.text, passage.lang) | (durations(question, passage.lang) if question else frozenset())
    return {number for number, days in duration_numbers(sentence, passage.lang) if days in stated}


_CLAIM_TOKEN = re.compile(r"[$€£]?\s?\d+(?:[.,:]\d+)?\s?(?:[$€£%]|zł|euros?|reais|dollars?)?|[^\W\d_][\w'’\-]*", re.I)
MONEY = re.compile(r"[$€£]|zł|euro|reais|dollar", re.I)


def number_slots(text: str, lang: str) -> list[tuple[int, str, bool]]:
    """(token index, value, is money) for each number of a text, in order."""
    text = numeric(text, lang)
    out: list[tuple[int, str, bool]] = []
    table = word_numbers(lang)
    for k, tok in enumerate(_CLAIM_TOKEN.findall(text)):
        if _DIGIT.search(tok):
            out.extend((k, v, bool(MONEY.search(tok))) for v in numbers(tok, lang="en"))
        elif tok.lower() in table and tok.lower() not in SOFT_NUMBER_WORDS:
            out.append((k, f"{table[tok.lower()]:g}", False))
    return out


def _bindings(text: str, word: str, lang: str) -> tuple[set[tuple[str, bool]], bool]:
    """The numbers ``word`` goes with in ``text`` (the nearest of each kind, amounts apart from counts),
    and whether it also occurs in a sentence without numbers."""
    bound: set[tuple[str, bool]] = set()
    free_use = False
    from guards.sentences import split_sentences

    for sentence in split_sentences(text):
        for segment in _SEGMENT.split(sentence.text):
            free_use |= _bind_segment(segment, word, lang, bound)
    return bound, free_use


# Numbers go with things in their own clause: "a basic wash costs $12 | and the Ultimate wash ...".
_SEGMENT = re.compile(
    r"[;:()]|(?<!\d),|,(?!\d)|"
    r"\b(?:and|or|but|y|o|e|et|ou|und|oder|en|of|i|ed|oraz|lub|ma|mas|pero|mais|aber|maar|ale|while|whereas)\b",
    re.I,
)


def _bind_segment(text: str, word: str, lang: str, bound: set[tuple[str, bool]]) -> bool:
    """Add to ``bound`` the numbers ``word`` goes with in one clause; True if it occurs there without one."""
    tokens = _CLAIM_TOKEN.findall(numeric(text, lang))
    where = [k for k, t in enumerate(tokens) if not _DIGIT.search(t) and stems_match_exact(stem(t, lang), word)]
    if not where:
        return False
    slots = number_slots(text, lang)
    if not slots:
        return True
    for money in (True, False):
        kind = [(s, v) for s, v, m in slots if m == money]
        for k in where:
            if kind:
                nearest = min(abs(k - s) for s, _ in kind)
                if nearest <= BIND_DISTANCE:
                    bound |= {(v, money) for s, v in kind if abs(k - s) <= nearest + 1}
    return False


def misattached(
    sentence: str, passage: Passage, claimed: set[str], asked: frozenset[str], counts: frozenset[str] = frozenset()
) -> str | None:
    """A number the sources state, put with a thing the sources give another number ("O plano mensal
    custa 99 reais" when the sources say 119 for the monthly plan, 99 for the yearly one).

    Only for things the visitor asked about: words of a brand name ("Sparkle Auto Wash") go with
    every number.
    """
    lang = passage.lang
    candidates = {
        s for s in content_stems(sentence, lang) if s not in WEAK_STEMS and len(s) >= 4 and supported(s, asked)
    }
    for word in candidates:
        said, _ = _bindings(sentence, word, lang)
        said = {(v, m) for v, m in said if v in claimed}
        if not said:
            continue
        stated, free_use = _bindings(passage.text, word, lang)
        if free_use or not stated:
            continue
        for value, money in said:
            same_kind = {v for v, m in stated if m == money}
            if same_kind and value not in same_kind and value in passage.numbers:
                if any(f"{float(k) * float(v):g}" == value for k in counts for v in same_kind):
                    continue  # "two baguettes are $7" at $3.50 each: the visitor's count, worked out
                return f"the sources give {', '.join(sorted(same_kind))} for “{word}”, not {value}"
    return None


def stems_match_exact(token: str, word: str) -> bool:
    return token == word or (len(word) >= 5 and len(token) >= 5 and (token.startswith(word) or word.startswith(token)))
