"""The offline hallucination check: is each claim of a sentence found in the sources?

No network and no model weights. A sentence is checked for numbers, names and content
words that the sources do not contain, and for a negation or antonym that flips the source
clause it paraphrases. Each check yields a score; the sentence's score is the strongest one.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from guards.claims import is_claim
from guards.figures import (
    MONEY,
    WEAK_STEMS,
    counts_of,
    crossed,
    derived,
    in_durations,
    misattached,
    number_slots,
    sums,
)
from guards.text import (
    Passage,
    antonym_stems,
    canonical,
    clauses,
    content_stems,
    durations,
    loose_numbers,
    names,
    negated,
    numbers,
    polarity,
    prepare,
    quantities,
    stem,
    supported,
    vocabulary_of,
    words,
)
from guards.verdict import Verdict
from shared.events import Source
from shared.languages import detect, ready

CLAUSE_MIN_WORDS = 3
COVERAGE_SLACK = 0.35
COVERAGE_SPAN = 0.4
# A content word only the visitor's question contains counts this much as unsupported: the
# question explains what the visitor brought up, it does not vouch for the business.
QUESTION_WEIGHT = 0.5


def _overlap(claim: list[str], passage_text: str, lang: str) -> float:
    """Share of the claim's content stems found in one source clause."""
    if not claim:
        return 0.0
    vocab = vocabulary_of(passage_text, lang)
    return sum(supported(c, vocab) for c in claim) / len(claim)


def _closest(claim_text: str, passage: Passage) -> tuple[str, float]:
    claim = content_stems(claim_text, passage.lang)
    best, best_score = "", 0.0
    for part in passage.clauses:
        score = _overlap(claim, part, passage.lang)
        # Prefer the shorter (more specific) clause on ties: it carries the polarity that matters.
        if score > best_score + 1e-9 or (abs(score - best_score) < 1e-9 and best and len(part) < len(best)):
            best, best_score = part, score
    return best, best_score


def _antonym_flip(claim_text: str, source_text: str, lang: str) -> str | None:
    claim = {stem(w, lang) for w in words(claim_text)}
    source = {stem(w, lang) for w in words(source_text)}
    for c in claim - source:
        opposite = antonym_stems().get(c)
        if opposite and opposite in source and opposite not in claim:  # "4 free hours, so you pay for 2"
            return opposite
    return None


def _prepared(texts: tuple[str, ...]) -> Passage:
    lang = source_language(texts)
    return _prepared_in(texts, lang, ready(lang))


@lru_cache(maxsize=256)
def _prepared_in(texts: tuple[str, ...], lang: str, loaded: bool) -> Passage:
    return prepare([canonical(t) for t in texts], lang)


# Shorter sources ("Check-in starts at 3 p.m.") are too short to tell a language by: English.
MIN_SOURCE_LETTERS = 40


@lru_cache(maxsize=256)
def source_language(texts: tuple[str, ...]) -> str:
    text = " ".join(texts)[:400]
    return detect(text) if sum(c.isalpha() for c in text) >= MIN_SOURCE_LETTERS else "en"


def _flips(claim: str, source: str, lang: str) -> bool:
    """The claim and the source clause it paraphrases disagree on a negation of the same thing."""
    if polarity(claim, lang) == polarity(source, lang):
        return False
    claim_denies = polarity(claim, lang) < 0
    denying, stating = (claim, source) if claim_denies else (source, claim)
    vocabulary = vocabulary_of(stating, lang)
    if not claim_denies:
        # "$45 with a 12-month contract or $60 without a contract": the source states both.
        denied = negated(source, lang, first_only=True)
        stated = [stem(w, lang) for w in words(canonical(source))]
        return any(supported(t, vocabulary) and stated.count(t) < 2 for t in denied)
    if numbers(denying, lang=lang) & numbers(stating, lang=lang) and not any(
        supported(t, vocabulary) for t in negated(denying, lang, first_only=True)
    ):
        # "as turmas não passam de 10 alunos" for "no máximo 10 alunos": the same bound, restated.
        return False
    # "final sale and cannot be returned" vs "final sale": the claim says nothing about returns;
    # "does not cover damage from misuse" vs "damage from misuse": it says nothing about cover.
    return any(supported(t, vocabulary) for t in negated(denying, lang, first_only=not claim_denies))


def _unsupported_share(
    text: str, vocabulary: frozenset[str], lang: str, asked: frozenset[str] = frozenset()
) -> tuple[float, list[str]]:
    """Weighted share of content words not in the sources; light verbs ("goes", "shows") weigh half.

    A word found only in the visitor's question (``asked``) counts as QUESTION_WEIGHT missing.
    """
    claim = content_stems(text, lang)
    if not claim:
        return 0.0, []
    weights = {c: (0.5 if c in WEAK_STEMS else 1.0) for c in claim}
    missing = [c for c in claim if not supported(c, vocabulary)]
    share = sum(weights[c] * (QUESTION_WEIGHT if asked and supported(c, asked) else 1.0) for c in missing)
    return share / sum(weights[c] for c in claim), [c for c in missing if not (asked and supported(c, asked))]


_FREE_WORD = re.compile(r"\bfree\b", re.I)


def _free_but_priced(part: str, src: str, lang: str) -> bool:
    """The claim calls something free that the source clause it paraphrases puts a price on."""
    if not _FREE_WORD.search(part) or _FREE_WORD.search(src):
        return False
    return any(m for _, _, m in number_slots(src, lang))


def _substituted(part: str, src: str, passage: Passage, asked: frozenset[str]) -> str | None:
    """The claim restates a source clause with one of its things swapped for another thing the
    sources name elsewhere ("helmets come with adult packages" for "... with child packages").

    Only for things that are names in the sources ("Basic", "Starter") or that the visitor asked
    about: a paraphrase swaps verbs and fillers freely, an answer to "does X ...?" must be about X.
    """
    lang = passage.lang
    claim = [c for c in content_stems(part, lang) if c not in WEAK_STEMS]
    source_vocab = vocabulary_of(src, lang)
    tokens = [w.lower() for w in words(part)]
    # "take your cat to the county hospital": the visitor's own thing, not one the sources attach a fact to.
    theirs = {stem(t, lang) for w, t in itertools.pairwise(tokens) if w in _POSSESSIVES}
    extra = [c for c in claim if not supported(c, source_vocab) and c not in theirs]
    if not extra or len(claim) - len(extra) < 2:
        return None
    if not all(supported(c, passage.vocabulary) for c in extra):
        return None  # words the sources lack are the coverage check's business
    source_names = _source_names(passage)
    if not any(c in source_names or supported(c, asked) for c in extra):
        return None
    claim_vocab = frozenset(claim) | frozenset(content_stems(part, lang))
    dropped = [
        c
        for c in content_stems(src, lang)
        if (c not in WEAK_STEMS or c in source_names) and not supported(c, claim_vocab)
    ]
    if not dropped:
        return None
    shown = ", ".join(sorted({w for w in words(part) if stem(w, lang) in extra})[:3])
    return f"the sources say this of something else, not {shown}: “{src}”"


_POSSESSIVES = frozenset({"your", "my", "votre", "vos", "ton", "ta", "tes", "tu", "tus", "ihr", "ihre", "ihren",
                          "ihrem", "dein", "deine", "seu", "sua", "teu", "tua", "tuo", "tuoi", "twój", "twoja", "uw",
                          "je"})  # fmt: skip


def _source_names(passage: Passage) -> frozenset[str]:
    return _names_in(passage.text, passage.lang, ready(passage.lang))


@lru_cache(maxsize=256)
def _names_in(text: str, lang: str, loaded: bool) -> frozenset[str]:
    return frozenset(stem(n, lang) for n in names(text, lang))


def ground(sentence: str, sources: list[str], known: frozenset[str] = frozenset(), question: str = "") -> Verdict:
    """Score one sentence against source texts (plain function; the method wraps it).

    ``question``, the visitor's message, may explain a number (theirs, or arithmetic on theirs
    and the sources') and half-excuse a word they used; it never makes a name or fact true.
    """
    passage = _prepared(tuple(sources)) if sources else None
    lang = passage.lang if passage else detect(sentence)
    if not is_claim(sentence, lang):
        return Verdict(0.0, "no factual claim", "grounding")
    if passage is None:
        return Verdict(0.9, "the reply cites no sources for this claim", "grounding")
    sentence = canonical(sentence)
    findings: list[tuple[float, str]] = []
    closest, closeness = _closest(sentence, passage)
    asked_numbers = numbers(question, lang=lang) if question else set()
    asked = vocabulary_of(question, lang) if question else frozenset()

    claimed = numbers(sentence, claims_only=True, lang=lang)
    missing_numbers = claimed - passage.numbers - asked_numbers
    if missing_numbers and len((claimed & passage.numbers) | asked_numbers) >= 1:
        # Arithmetic on the visitor's numbers and the ones the sentence itself takes from the
        # sources ("14 € por persona, para dos adultos son 28 €").
        operands = (claimed & passage.numbers) | asked_numbers
        worked = derived(operands) if len(operands) >= 2 or asked_numbers else set()
        # A total built on a subtotal the sentence just worked out ("117 €, más 20 €: 137 €").
        steps = claimed & worked - passage.numbers
        missing_numbers -= worked | (derived(operands | steps) if steps else set())
        # "twice a month at $12" -> "$24": one of the visitor's numbers with one of the sources'.
        missing_numbers -= crossed(asked_numbers, set(passage.numbers))
    if missing_numbers:
        # A count the sentence multiplies by: "2 half hours at $45, so $90" (2 x 45 is the 90 it states).
        missing_numbers -= counts_of(missing_numbers, set(passage.numbers) | asked_numbers, claimed)
    if missing_numbers and MONEY.search(sentence):
        missing_numbers -= sums({v for _, v, money in number_slots(passage.text, passage.lang) if money})
    if missing_numbers:
        missing_numbers -= in_durations(sentence, passage, question)
    # Worked out from stated numbers (a total, a sum, another unit): not a number put in the wrong place.
    explained = claimed - passage.numbers - asked_numbers - missing_numbers
    if missing_numbers:
        findings.append((0.9, f"the sources do not state {', '.join(sorted(missing_numbers))}"))
    elif closest and closeness >= 0.6 and not (claimed & asked_numbers) and not explained:
        near = numbers(closest, lang=lang)
        if claimed and near and not claimed & near:
            given, said = ", ".join(sorted(near)), ", ".join(sorted(claimed))
            findings.append((0.75, f"the sources give {given} here, not {said}"))

    if not missing_numbers:
        source_quantities = quantities(passage.text, lang)
        loose = loose_numbers(passage.text, lang)
        units = {u for _, u in source_quantities}
        asked_quantities = quantities(question, lang) if question else set()
        for value, unit in sorted(quantities(sentence, lang)):
            stated_values = sorted(float(v) for v, u in source_quantities if u == unit and not v.endswith("%"))
            if (
                value in asked_numbers
                and len(stated_values) >= 2
                and not value.endswith("%")
                and not stated_values[0] <= float(value) <= stated_values[-1]
            ):
                # The visitor's number, outside the range the sources give ("rooms for 2 to 6
                # people" -> "yes, we have a room for 10"): the question cannot vouch for it.
                findings.append(
                    (0.8, f"the sources give {stated_values[0]:g} to {stated_values[-1]:g} {unit}, not {value}")
                )
                break
            if (
                unit in units
                and (value, unit) not in source_quantities | asked_quantities
                and value not in loose
                and value not in asked_numbers
            ):
                stated = sorted(v for v, u in source_quantities if u == unit)
                findings.append((0.8, f"the sources give {', '.join(stated)} {unit}, not {value}"))
                break
        # A length of time the sources do not give, where the source clause this sentence
        # paraphrases gives one ("within a month" for "within two weeks"); 5% apart is the same
        # ("a year" and "12 months").
        near_durations = durations(closest, lang) if closest and closeness >= 0.5 else frozenset()
        stated_durations = durations(passage.text, lang) | durations(question, lang)
        said_durations = [
            d for d in durations(sentence, lang) if not any(abs(d - s) <= 0.05 * s for s in stated_durations)
        ]
        if near_durations and said_durations:
            findings.append((0.78, "the sources state a different length of time"))
        if claimed:
            counts = frozenset(n for n in asked_numbers | claimed if not n.endswith("%") and float(n).is_integer())
            wrong = misattached(sentence, passage, claimed - asked_numbers - explained, asked, counts)
            if wrong:
                findings.append((0.8, wrong))

    missing_names = {
        n
        for n in names(sentence, lang) - known
        if n not in passage.lowered_words and stem(n, lang) not in passage.vocabulary
    }
    if missing_names:
        findings.append((0.85, f"the sources do not mention {', '.join(sorted(missing_names))}"))

    # Negation and antonyms: compare each clause of the claim with the source clause it paraphrases.
    for part in clauses(sentence, lang) or [sentence]:
        src, score = _closest(part, passage)
        if not src or score < 0.6 or len(content_stems(part, lang)) < 2:
            continue
        if _flips(part, src, lang):
            findings.append((0.8, f"the sources say the opposite: “{src}”"))
            break
        flipped = _antonym_flip(part, src, lang)
        if flipped and flipped in {stem(w, lang) for w in words(sentence)}:
            flipped = None  # the sentence says it too: "4 free hours each month, so you pay for 2"
        if flipped:
            findings.append((0.75, f"the sources say “{flipped}” here: “{src}”"))
            break
        if _free_but_priced(part, src, lang):
            findings.append((0.75, f"the sources give a price here: “{src}”"))
            break
        # A sentence with a worked-out total joins several source facts: not one fact's thing swapped.
        swapped = None if explained else _substituted(part, src, passage, asked)
        if swapped:
            findings.append((0.7, swapped))
            break

    # Content words the sources lack, over the sentence and over each longer clause (an invented
    # clause tacked onto a grounded one is diluted in the whole sentence).
    parts = [sentence, *[c for c in clauses(sentence, lang) if len(content_stems(c, lang)) >= CLAUSE_MIN_WORDS]]
    share, missing = max((_unsupported_share(p, passage.vocabulary, lang, asked) for p in parts), key=lambda x: x[0])
    # Allow a little connective wording; beyond that, the sentence says things the sources do not.
    score = max(0.0, min(1.0, (share - COVERAGE_SLACK) / COVERAGE_SPAN))
    if score > 0:
        shown = ", ".join(sorted({w for w in words(sentence) if stem(w, lang) in missing})[:6])
        findings.append((round(score, 3), f"not found in the sources: {shown}"))

    if not findings:
        return Verdict(0.0, "supported by the sources", "grounding", closest or None)
    score, reason = max(findings)
    return Verdict(score, reason, "grounding", closest if closeness >= 0.5 else None)


class GroundingMethod:
    """Offline default method; see the module docstring."""

    name = "grounding"

    async def check(
        self,
        sentence: str,
        sources: list[Source],
        context: str = "",
        known: frozenset[str] = frozenset(),
        *,
        question: str = "",
    ) -> Verdict:
        return ground(sentence, source_texts(sources), known, question)


def source_texts(sources: list[Source]) -> list[str]:
    return [s.snippet for s in sources] + [s.title for s in sources]
