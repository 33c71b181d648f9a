"""Lexical analysis for the offline grounding check: tokens, stems, numbers, names, polarity.

Every function takes the text's language (``lang``, ISO 639-1, default English): stems are
simplemma lemmas (then a light suffix strip in English), stopwords and negation cues are the
language's, and spelled-out numbers are turned into digits by text2num first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from guards.lexicon import (
    ANSWER_PARTICLES,
    ANTONYMS,
    CHATTER,
    CHATTER_BY_LANG,
    NEGATIONS,
    NEGATIONS_BY_LANG,
    NUMBER_WORDS,
    SMALL_NUMBERS,
    STOPWORDS,
    SYNONYMS,
)
from shared.languages import digits, lemma, ready, stopwords

# A word: letters, with inner apostrophes or hyphens ("don't", "pre-existing", "E-Bikes").
_WORD = re.compile(r"[^\W\d_](?:[\w'’\-]*[^\W\d_])?")
_NUMBER = re.compile(
    r"(?<![\w.])[$€£]?\s?(\d{1,3}(?:,\d{3})+|\d+)(?:[.:](\d+))?\s?(%|percent|am|pm|a\.m\.|p\.m\.|k|st|nd|rd|th)?",
    re.IGNORECASE,
)
_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ness", "ings", "ing", "able", "ible", "ies", "ied",
             "ed", "es", "ly", "s")  # fmt: skip
# Number words that usually are not quantities ("one of our agents", "the first step").
SOFT_NUMBER_WORDS = frozenset({"one", "first", "once", "single", "second", "half", "double"})
# French and Italian elisions: l'ingresso, d'achat, dell'hotel, qu'il.
_ELISION = re.compile(r"^(?:l|d|j|m|t|s|c|n|qu|dell|all|dall|nell|sull|un)['’]", re.IGNORECASE)


def _english_stem(w: str) -> str:
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith(("ss", "us", "is"))):
            w = w[: -len(suffix)]
            if suffix in ("ies", "ied"):
                w += "y"
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "ls":
        w = w[:-1]  # shipp -> ship
    return w


def stem(word: str, lang: str = "en") -> str:
    return _stem(word, lang, ready(lang))


@lru_cache(maxsize=65536)
def _stem(word: str, lang: str, loaded: bool) -> str:
    w = word.lower().replace("’", "'")
    if lang == "en":
        if w.endswith("'s"):
            w = w[:-2]
        if "-" not in w and "'" not in w:
            w = lemma(w, "en")
        return _english_stem(w.replace("-", ""))
    w = _ELISION.sub("", w)
    return lemma(w, lang).replace("-", "")


def _build_synonyms() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group in SYNONYMS:
        stems = {stem(w) for phrase in group for w in phrase.split()}
        for s in stems:
            index.setdefault(s, set()).update(stems)
    return {k: frozenset(v) for k, v in index.items()}


@lru_cache(maxsize=1)
def synonym_stems() -> dict[str, frozenset[str]]:
    return _build_synonyms()


@lru_cache(maxsize=1)
def antonym_stems() -> dict[str, str]:
    return {**{stem(a): stem(b) for a, b in ANTONYMS}, **{stem(b): stem(a) for a, b in ANTONYMS}}


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _norm(word: str) -> str:
    return word.lower().replace("’", "'")


def is_content(word: str, lang: str = "en") -> bool:
    w = _norm(word)
    if len(w) <= 1 or w in NUMBER_WORDS:
        return False
    if lang == "en":
        return w not in STOPWORDS and w not in CHATTER and w not in NEGATIONS
    bare = _ELISION.sub("", w)
    if len(bare) <= 1 or _is_negation(w, lang) or bare in SMALL_NUMBERS.get(lang, {}):
        return False
    stop = stopwords(lang)
    return bare not in stop and w not in stop and bare not in CHATTER_BY_LANG.get(lang, frozenset())


def content_stems(text: str, lang: str = "en") -> list[str]:
    return [stem(w, lang) for w in words(text) if is_content(w, lang)]


def stems_match(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long_.startswith(short)


def _inflection_of(a: str, b: str) -> bool:
    """Stricter, for reaching synonyms: "deliver"/"delivery", not "back"/"backpack" (-> "send back" -> return)."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return stems_match(a, b) and (len(long_) - len(short) <= 3 or len(short) >= 6)


@lru_cache(maxsize=65536)
def variants(word_stem: str) -> frozenset[str]:
    """The stem and the stems of its synonyms (matching synonym entries by morphology too)."""
    found = {word_stem}
    for key, group in synonym_stems().items():
        if _inflection_of(word_stem, key):
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


def vocabulary_of(text: str, lang: str = "en") -> frozenset[str]:
    return _vocabulary_of(text, lang, ready(lang))


@lru_cache(maxsize=4096)
def _vocabulary_of(text: str, lang: str, loaded: bool) -> frozenset[str]:
    return frozenset(stem(w, lang) for w in words(text))


# Continental formats: 2.199 € (thousands), 3,50 (decimals).
_THOUSANDS_DOT = re.compile(r"(?<=\d)\.(?=\d{3}\b)")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d{1,2}\b)")


@lru_cache(maxsize=8192)
def numeric(text: str, lang: str = "en") -> str:
    """The text with spelled-out numbers as digits and continental number formats as English ones."""
    text = digits(text, lang)
    if lang != "en":
        text = _DECIMAL_COMMA.sub(".", _THOUSANDS_DOT.sub("", text))
    return text


def _number_value(whole: str, frac: str | None, unit: str | None) -> str:
    value = float(whole.replace(",", "") + (f".{frac}" if frac else ""))
    u = (unit or "").lower().replace(".", "")
    if u == "k":
        value *= 1000
    if u == "pm" and value < 12:
        value += 12
    text = f"{value:g}"
    return text + ("%" if u in ("%", "percent") else "")


def word_numbers(lang: str) -> dict[str, float]:
    return NUMBER_WORDS if lang == "en" else SMALL_NUMBERS.get(lang, {})  # type: ignore[return-value]


def numbers(text: str, claims_only: bool = False, lang: str = "en") -> set[str]:
    """Normalised numbers in a text: '$1,299.00' -> '1299', '9pm' -> '21', 'thirty' -> '30', '15%' -> '15%'.

    Outside claims, a p.m. time also yields its clock number ("8 p.m." states 8 as well as 20).
    """
    text = numeric(text, lang)
    found: set[str] = set()
    for m in _NUMBER.finditer(text):
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        sep = text[m.start(1) + len(whole) : m.start(1) + len(whole) + 1]
        if sep == ":" and frac is not None:  # clock time 9:00 / 5:30
            hours = float(whole) + (12 if (unit or "").lower().startswith("p") and float(whole) < 12 else 0)
            found.add(f"{hours + int(frac) / 60:g}")
            if not claims_only and hours >= 12:
                found.add(f"{hours - 12 + int(frac) / 60:g}")
            continue
        found.add(_number_value(whole, frac, unit))
        u = (unit or "").lower().replace(".", "")
        if u in ("%", "percent") or (u == "pm" and not claims_only):
            found.add(_number_value(whole, frac, None))
    table = word_numbers(lang)
    for w in _WORD.findall(text):
        lw = w.lower()
        if lw in table and not (claims_only and lw in SOFT_NUMBER_WORDS):
            found.add(f"{table[lw]:g}")
    if claims_only:
        # Percent variants added for matching only.
        found = {n for n in found if not (n + "%" in found and not n.endswith("%"))}
    return found


_NUM = r"(?:\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
# A currency sign before the number makes it an amount, not a count of the unit after it
# ("$45 a day" is a price per day, not 45 days).
_QUANTITY = re.compile(
    rf"(?<![\w.$€£])({_NUM})(?:\s*(?:-|to|and|or|a|à|bis|tot|do)\s*({_NUM}))?(?![\w.,]\d)"
    r"(?:\s*%|\s*percent)?[\s-]+(?:per\s+|an?\s+)?([^\W\d_]+)",
    re.IGNORECASE,
)
_CURRENCY_WORDS = frozenset({"euro", "euros", "eur", "dollar", "dollars", "usd", "reais", "real", "zł", "zl", "pln",
                             "złotych", "pounds", "gbp", "cents"})  # fmt: skip

_LOOSE = re.compile(rf"(?<![\w.])[$€£]?({_NUM})(?=\s*(?:[.,;:)!?]\s|[.,;:)!?]?$))", re.IGNORECASE | re.MULTILINE)


@lru_cache(maxsize=1024)
def loose_numbers(text: str, lang: str = "en") -> frozenset[str]:
    """Numbers with no unit after them ("... for $17.99."): they may go with any unit."""
    text = numeric(text, lang)
    found: set[str] = set()
    for m in _LOOSE.finditer(text):
        found |= numbers(m.group(1))
    return frozenset(found)


def quantities(text: str, lang: str = "en") -> frozenset[tuple[str, str]]:
    """(number, unit) pairs: '3 to 5 business days' -> {('3','busi'),('5','busi')}, '2-hour' -> ('2','hour')."""
    return _quantities(text, lang, ready(lang))


@lru_cache(maxsize=1024)
def _quantities(text: str, lang: str, loaded: bool) -> frozenset[tuple[str, str]]:
    text = numeric(text, lang)
    found: set[tuple[str, str]] = set()
    for m in _QUANTITY.finditer(text):
        unit = m.group(3).lower()
        if not is_content(unit, lang) or unit in NUMBER_WORDS or unit in _CURRENCY_WORDS:
            continue
        for raw in (m.group(1), m.group(2)):
            if raw is None:
                continue
            value = numbers(raw)
            if raw[0].isdigit() or raw.lower() in NUMBER_WORDS:
                found.update((v, stem(unit, lang)) for v in value)
    return frozenset(found)


# Durations, in days, so "two weeks" and "14 days" agree and "a month" differs from both.
_DURATION_UNITS = {
    "en": {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365},
    "es": {"minuto": 1 / 1440, "hora": 1 / 24, "día": 1, "semana": 7, "mes": 30, "año": 365},
    "fr": {"minute": 1 / 1440, "heure": 1 / 24, "jour": 1, "semaine": 7, "mois": 30, "an": 365, "année": 365},
    "de": {"minute": 1 / 1440, "stunde": 1 / 24, "tag": 1, "woche": 7, "monat": 30, "jahr": 365},
    "pt": {"minuto": 1 / 1440, "hora": 1 / 24, "dia": 1, "semana": 7, "mês": 30, "ano": 365},
    "it": {"minuto": 1 / 1440, "ora": 1 / 24, "giorno": 1, "settimana": 7, "mese": 30, "anno": 365},
    "pl": {"minuta": 1 / 1440, "godzina": 1 / 24, "dzień": 1, "tydzień": 7, "miesiąc": 30, "rok": 365},
    "nl": {"minuut": 1 / 1440, "uur": 1 / 24, "dag": 1, "week": 7, "maand": 30, "jaar": 365},
}
# "within a month", "for an hour": an article counts as one only after such a preposition (so
# "$2 a month" or "200 miles a day" state no length of time). Fixed-width lookbehinds, one each.
_AFTER = ("within ", "in ", "for ", "after ", "than ", "over ", "under ", "about ", "höchstens ", "mindestens ",
          "innerhalb ", "binnen ", "dentro de ", "dans ", "entro ", "em ", "ciągu ", "durante ",
          "pendant ")  # fmt: skip
_ONE_WORDS = ("a", "an", "one", "un", "une", "uno", "una", "ein", "eine", "einen", "einem", "einer", "um", "uma",
              "een", "jeden", "jedna", "jednego")  # fmt: skip
_ONE = "(?:" + "|".join(f"(?<={re.escape(a)})" for a in _AFTER) + ")(?:" + "|".join(_ONE_WORDS) + ")"
_COUNT_WORDS = sorted({*NUMBER_WORDS, *(w for table in SMALL_NUMBERS.values() for w in table)} - SOFT_NUMBER_WORDS,
                      key=len, reverse=True)  # fmt: skip
_DURATION = re.compile(
    rf"(?<![\w.$€£])(\d+(?:\.\d+)?|{_ONE}|{'|'.join(_COUNT_WORDS)})"
    r"(?:\s*(?:-|to|a|à|bis|tot|do|or|o|ou|of)\s*(\d+(?:\.\d+)?))?[\s-]+"
    r"(?:(?:business|working|calendar|full|hábiles|ouvrés|ouvrables|werk|robocz\w*|lavorativi|úteis)\s+)?"
    r"([^\W\d_]+)",
    re.IGNORECASE,
)
_MONEY_BEFORE = re.compile(r"[$€£]\s?$")


def durations(text: str, lang: str = "en") -> frozenset[float]:
    """Lengths of time stated in a text, in days ("within two weeks" -> {14.0}); amounts are skipped."""
    return frozenset(days for _, days in _durations(text, lang, ready(lang)))


def duration_numbers(text: str, lang: str = "en") -> frozenset[tuple[str, float]]:
    """(the number as written, in ``numbers``' form; the length in days) of each length of time."""
    return _durations(text, lang, ready(lang))


@lru_cache(maxsize=1024)
def _durations(text: str, lang: str, loaded: bool) -> frozenset[tuple[str, float]]:
    text = numeric(text, lang)
    units = _DURATION_UNITS.get(lang, _DURATION_UNITS["en"])
    found: set[tuple[str, float]] = set()
    for m in _DURATION.finditer(text):
        if _MONEY_BEFORE.search(text[: m.start()]):
            continue
        unit = lemma(m.group(3), lang) if lang != "en" else _english_stem(m.group(3).lower()).rstrip("s")
        factor = units.get(unit) or units.get(m.group(3).lower())
        if lang == "en" and factor is None:
            factor = units.get(m.group(3).lower().rstrip("s"))
        if factor is None:
            continue
        counts = {**NUMBER_WORDS, **SMALL_NUMBERS.get(lang, {})}
        for raw in (m.group(1), m.group(2)):
            if raw is None:
                continue
            value = float(raw) if raw[0].isdigit() else float(counts.get(raw.lower(), 1))
            found.add((f"{value:g}", round(value * factor, 3)))
    return frozenset(found)


_NAME_SKIP = frozenset({"i", "i'm", "i've", "i'll", "i'd", "ok", "okay"})


def names(text: str, lang: str = "en") -> set[str]:
    """Capitalised words that are not sentence-initial: product names, people, places, brands.

    German capitalises every noun, so there it finds none. A hyphenated name is one word
    ("E-Bikes", "Pre-Existing"), matched whole.
    """
    if lang == "de":
        return set()
    found: set[str] = set()
    tokens = list(re.finditer(r"\S+", text))
    for k, tok in enumerate(tokens):
        raw = _ELISION.sub("", tok.group(0).strip("\"'()[]{}*_,;:!?.“”‘’¡¿«»"))
        if not raw or not raw[0].isupper() or raw.lower() in _NAME_SKIP:
            continue
        prev = tokens[k - 1].group(0) if k else ""
        if k == 0 or prev.endswith((".", "!", "?", ":", "\n")) or prev in ("-", "*", "•", "¡", "¿"):
            continue
        if raw.isupper() and len(raw) <= 1:
            continue
        for part in re.split(r"[/’']", raw):
            if part and part[0].isupper() and part.lower() not in STOPWORDS and part.lower() not in stopwords(lang):
                found.add(part.lower())
    return found


# Wordings that state something is free while using a negation word ("at no charge",
# "no cuesta nada"); rewritten to "free" before negations are compared, in sources and claims alike.
_FREE = re.compile(
    r"\b(?:free of charge|at no (?:extra |additional )?(?:charge|cost)|no (?:extra |additional )?(?:charge|cost|fee)|"
    r"without (?:any )?(?:charge|cost)|costs? nothing|for free|complimentary|"
    r"(?:doesn'?t|does not|don'?t|do not|won'?t|will not) cost (?:you )?(?:anything|a thing|a penny|a cent|extra)|"
    r"(?:don'?t|doesn'?t|do not|does not|won'?t|will not|never) (?:have to |need to )?pay(?: anything| extra)?|"
    # es
    r"gratis|gratuit[oa]s?|sin (?:coste|costo|cargo)|no (?:se )?(?:paga|pagan|cobra|cobran)|"
    r"no (?:cuesta|tiene) (?:nada|coste|costo)|"
    # fr
    r"gratuite?s?|gratuitement|offerte?s?|sans frais|ne co[uû]te rien|ne (?:paie|payez|paient|payent) (?:rien|pas)|"
    # de
    r"kostenlos|kostenfrei|gratis|kostet nichts|nicht kostenpflichtig|ohne (?:Aufpreis|Kosten|Gebühr)|"
    # pt
    r"gr[aá]tis|sem custo|n[aã]o custa nada|n[aã]o (?:paga|pagam|cobra)|"
    # it
    r"gratuit[oaie]|senza costi?|non (?:si )?(?:paga|pagano|costa) ?(?:nulla|niente)?|"
    # pl
    r"bezpłatn\w*|darmow\w*|za darmo|bez opłat\w*|nic nie (?:płacisz|płaci|kosztuje)|nie (?:płacisz|płaci)|"
    # nl
    r"kost niets|niets betalen|geen kosten|zonder kosten|hoeft niet te betalen)(?!\w)",
    re.IGNORECASE,
)
_PARTICLE = re.compile(r"^\s*([^\W\d_]+)\s*[,!.:;]\s*", re.IGNORECASE)


def canonical(text: str) -> str:
    """Rewrite idioms whose negation words state no negation ("at no charge" means "free"), and drop
    a leading yes/no answer word ("No, the first visit is free" denies nothing)."""
    m = _PARTICLE.match(text)
    if m and m.group(1).lower() in ANSWER_PARTICLES:
        text = text[m.end() :]
    return _FREE.sub("free", text)


def _is_negation(word: str, lang: str = "en") -> bool:
    lw = _norm(word)
    if lang == "en":
        return lw in NEGATIONS or lw.endswith("n't") or lw.startswith(("non-", "un-"))
    # Not the English list: Portuguese "no" is "in the".
    return (
        lw in NEGATIONS_BY_LANG.get(lang, frozenset())
        or lw.startswith("non-")
        or (lang == "fr" and lw.startswith("n'"))
    )


def polarity(text: str, lang: str = "en") -> int:
    """-1 if the text denies something (any negation cue; "no X and no Y" is still a denial), else 1."""
    return -1 if any(_is_negation(w, lang) for w in words(canonical(text))) else 1


_SCOPE = re.compile(r"[;:!?()\u2014\u2013]|(?<!\d)[,.]|[,.](?!\d)|\s-\s")


def negated(text: str, lang: str = "en", first_only: bool = False) -> set[str]:
    """Stems of the content words after each negation cue, within its clause: what is denied.

    The first three words, or only the first (``first_only``: "does not cover damage" denies
    covering, and says nothing against a sentence about damage).
    """
    found: set[str] = set()
    for piece in _SCOPE.split(canonical(text)):
        found |= _negated(words(piece), lang, 1 if first_only else 3)
    return found


def _negated(tokens: list[str], lang: str, limit: int) -> set[str]:
    found: set[str] = set()
    for i, w in enumerate(tokens):
        if _is_negation(w, lang):
            taken = 0
            for nxt in tokens[i + 1 : i + 7]:
                if is_content(nxt, lang):
                    found.add(stem(nxt, lang))
                    taken += 1
                    if taken == limit:
                        break
            if w.lower().startswith(("non-", "un-")):
                found.add(stem(w.split("-", 1)[1], lang))
            if lang == "fr" and w.lower().startswith("n'") and len(w) > 2:
                found.add(stem(w[2:], lang))
    return found


_CLAUSE = re.compile(
    r"[;:()\u2014\u2013]|(?<!\d),|,(?!\d)|\s-\s|\b(?:but|however|although|though|whereas|while|except|unless|pero|aunque|sino|mais|"
    r"sauf|aber|sondern|außer|jedoch|mas|porém|exceto|ma|però|tranne|ale|lecz|oprócz|maar|behalve|behalf)\b",
    re.I,
)


def clauses(text: str, lang: str = "en") -> list[str]:
    parts = [p.strip() for p in _CLAUSE.split(text)]
    return [p for p in parts if p and content_stems(p, lang)]


@dataclass(frozen=True)
class Passage:
    """A source prepared for matching: its vocabulary, numbers, names and clauses."""

    text: str
    lang: str
    vocabulary: frozenset[str]
    lowered_words: frozenset[str]
    numbers: frozenset[str]
    clauses: tuple[str, ...]
    sentences: tuple[str, ...]


def prepare(texts: list[str], lang: str = "en") -> Passage:
    joined = "\n".join(texts)
    from guards.sentences import split_sentences

    parts: list[str] = []
    sentences: list[str] = []
    for s in split_sentences(joined):
        parts.append(s.text)
        sentences.append(s.text)
        parts.extend(c for c in clauses(s.text, lang) if c != s.text)
    tokens = words(joined)
    return Passage(
        text=joined,
        lang=lang,
        vocabulary=frozenset(stem(w, lang) for w in tokens),
        lowered_words=frozenset(w.lower() for w in tokens)
        | frozenset(stem(w, lang) for w in tokens)
        | frozenset(w.lower().replace("-", "") for w in tokens),
        numbers=frozenset(numbers(joined, lang=lang)),
        clauses=tuple(parts),
        sentences=tuple(sentences),
    )
