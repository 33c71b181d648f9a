"""The offline hallucination check: is each claim of a sentence found in the sources?

No network and no model weights. A sentence is checked for numbers, names and content
words that the sources do not contain, and for a negation or antonym that flips the source
clause it paraphrases. Each check yields a score; the sentence's score is the strongest one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from guards.text import (
    ANTONYM_STEMS,
    Passage,
    clauses,
    content_stems,
    names,
    numbers,
    polarity,
    prepare,
    stem,
    supported,
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
    vocab = frozenset(stem(w) for w in words(passage_text))
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
    return prepare(list(texts))


def ground(sentence: str, sources: list[str], known: frozenset[str] = frozenset()) -> Verdict:
    """Score one sentence against source texts (plain function; the method wraps it)."""
    if not _is_claim(sentence):
        return Verdict(0.0, "no factual claim", "grounding")
    if not sources:
        return Verdict(0.9, "the reply cites no sources for this claim", "grounding")
    passage = _prepared(tuple(sources))
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
        if polarity(part) != polarity(src):
            findings.append((0.8, f"the sources say the opposite: “{src}”"))
            break
        flipped = _antonym_flip(part, src)
        if flipped:
            findings.append((0.75, f"the sources say “{flipped}” here: “{src}”"))
            break

    claim = content_stems(sentence)
    if claim:
        unsupported = [c for c in claim if not supported(c, passage.vocabulary)]
        share = len(unsupported) / len(claim)
        # Allow a little connective wording; beyond that, the sentence says things the sources do not.
        score = max(0.0, min(1.0, (share - 0.25) / 0.4))
        if score > 0:
            shown = ", ".join(sorted({w for w in words(sentence) if stem(w) in unsupported})[:6])
            findings.append((round(score, 3), f"not found in the sources: {shown}"))

    if not findings:
        return Verdict(0.0, "supported by the sources", "grounding", closest or None)
    score, reason = max(findings)
    return Verdict(score, reason, "grounding", closest if closeness >= 0.5 else None)


class GroundingMethod:
    """Offline default method; see the module docstring."""

    name = "grounding"

    async def check(
        self, sentence: str, sources: list[Source], context: str = "", known: frozenset[str] = frozenset()
    ) -> Verdict:
        return ground(sentence, source_texts(sources), known)


def source_texts(sources: list[Source]) -> list[str]:
    return [s.snippet for s in sources] + [s.title for s in sources]
