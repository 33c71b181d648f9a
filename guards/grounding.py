"""The offline hallucination check: is each claim of a sentence found in the sources?

No network and no model weights. A sentence is checked for numbers, names and content
words that the sources do not contain, and for a negation or antonym that flips the source
clause it paraphrases. Each check yields a score; the sentence's score is the strongest one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from guards.lexicon import WEAK
from guards.text import (
    ANTONYM_STEMS,
    Passage,
    canonical,
    clauses,
    content_stems,
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

# Sentences that make no claim about the business: courtesy, hedges, questions back.
_NON_CLAIM = re.compile(
    r"^(?:hi|hello|hey|thanks|thank you|sure|of course|certainly|absolutely|great question|good question|"
    r"i'?m sorry|sorry|unfortunately,? i|i (?:could ?n[o']t|can ?n[o']t|don'?t|do not|didn'?t) (?:find|see|know|have)|"
    r"i'?m not sure|let me know|feel free|hope (?:this|that) helps|is there anything|anything else|"
    r"here(?:'s| is| are) (?:what|how|a|the)|you(?:'re| are) welcome|happy to help|glad to help)\b",
    re.IGNORECASE,
)
_MIN_CONTENT = 2
CLAUSE_MIN_WORDS = 3
COVERAGE_SLACK = 0.25
COVERAGE_SPAN = 0.4


def _is_claim(sentence: str) -> bool:
    s = sentence.strip()
    if s.endswith(("?", ":")):
        return False
    if _NON_CLAIM.match(s.lstrip("*_#> ")):
        return False
    return len(content_stems(s)) >= _MIN_CONTENT or bool(numbers(s, claims_only=True))


def _overlap(claim: list[str], passage_text: str) -> float:
    """Share of the claim's content stems found in one source clause."""
    if not claim:
        return 0.0
    vocab = vocabulary_of(passage_text)
    return sum(supported(c, vocab) for c in claim) / len(claim)


def _closest(claim_text: str, passage: Passage) -> tuple[str, float]:
    claim = content_stems(claim_text)
    best, best_score = "", 0.0
    for part in passage.clauses:
        score = _overlap(claim, part)
        # Prefer the shorter (more specific) clause on ties: it carries the polarity that matters.
        if score > best_score + 1e-9 or (abs(score - best_score) < 1e-9 and best and len(part) < len(best)):
            best, best_score = part, score
    return best, best_score


def _antonym_flip(claim_text: str, source_text: str) -> str | None:
    claim = {stem(w) for w in words(claim_text)}
    source = {stem(w) for w in words(source_text)}
    for c in claim - source:
        opposite = ANTONYM_STEMS.get(c)
        if opposite and opposite in source:
            return opposite
    return None


@lru_cache(maxsize=256)
def _prepared(texts: tuple[str, ...]) -> Passage:
    return prepare([canonical(t) for t in texts])


def _flips(claim: str, source: str) -> bool:
    """The claim and the source clause it paraphrases disagree on a negation of the same thing."""
    if polarity(claim) == polarity(source):
        return False
    denying, stating = (claim, source) if polarity(claim) < 0 else (source, claim)
    vocabulary = vocabulary_of(stating)
    # "final sale and cannot be returned" vs "final sale": the claim says nothing about returns.
    return any(supported(t, vocabulary) for t in negated(denying))


def _unsupported_share(text: str, vocabulary: frozenset[str]) -> tuple[float, list[str]]:
    """Weighted share of content words not in the sources; light verbs ("goes", "shows") weigh half."""
    claim = content_stems(text)
    if not claim:
        return 0.0, []
    weights = {c: (0.5 if c in WEAK_STEMS else 1.0) for c in claim}
    missing = [c for c in claim if not supported(c, vocabulary)]
    return sum(weights[c] for c in missing) / sum(weights[c] for c in claim), missing


WEAK_STEMS = frozenset(stem(w) for w in WEAK)


def ground(sentence: str, sources: list[str], known: frozenset[str] = frozenset(), question: str = "") -> Verdict:
    """Score one sentence against source texts (plain function; the method wraps it)."""
    if not _is_claim(sentence):
        return Verdict(0.0, "no factual claim", "grounding")
    if not sources:
        return Verdict(0.9, "the reply cites no sources for this claim", "grounding")
    passage = _prepared(tuple(sources))
    sentence = canonical(sentence)
    findings: list[tuple[float, str]] = []
    closest, closeness = _closest(sentence, passage)

    missing_numbers = numbers(sentence, claims_only=True) - passage.numbers
    if missing_numbers:
        findings.append((0.9, f"the sources do not state {', '.join(sorted(missing_numbers))}"))
    elif closest and closeness >= 0.6:
        claimed = numbers(sentence, claims_only=True)
        near = numbers(closest)
        if claimed and near and not claimed & near:
            given, said = ", ".join(sorted(near)), ", ".join(sorted(claimed))
            findings.append((0.75, f"the sources give {given} here, not {said}"))

    if not missing_numbers:
        source_quantities = quantities(passage.text)
        loose = loose_numbers(passage.text)
        units = {u for _, u in source_quantities}
        for value, unit in sorted(quantities(sentence)):
            if unit in units and (value, unit) not in source_quantities and value not in loose:
                stated = sorted(v for v, u in source_quantities if u == unit)
                findings.append((0.8, f"the sources give {', '.join(stated)} {unit}, not {value}"))
                break

    missing_names = {
        n for n in names(sentence) - known if n not in passage.lowered_words and stem(n) not in passage.vocabulary
    }
    if missing_names:
        findings.append((0.85, f"the sources do not mention {', '.join(sorted(missing_names))}"))

    # Negation and antonyms: compare each clause of the claim with the source clause it paraphrases.
    for part in clauses(sentence) or [sentence]:
        src, score = _closest(part, passage)
        if not src or score < 0.6 or len(content_stems(part)) < 2:
            continue
        if _flips(part, src):
            findings.append((0.8, f"the sources say the opposite: “{src}”"))
            break
        flipped = _antonym_flip(part, src)
        if flipped:
            findings.append((0.75, f"the sources say “{flipped}” here: “{src}”"))
            break

    # Content words the sources lack, over the sentence and over each longer clause (an invented
    # clause tacked onto a grounded one is diluted in the whole sentence).
    parts = [sentence, *[c for c in clauses(sentence) if len(content_stems(c)) >= CLAUSE_MIN_WORDS]]
    share, missing = max((_unsupported_share(p, passage.vocabulary) for p in parts), key=lambda x: x[0])
    # Allow a little connective wording; beyond that, the sentence says things the sources do not.
    score = max(0.0, min(1.0, (share - COVERAGE_SLACK) / COVERAGE_SPAN))
    if score > 0:
        shown = ", ".join(sorted({w for w in words(sentence) if stem(w) in missing})[:6])
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
