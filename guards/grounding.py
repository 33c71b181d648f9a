"""The offline hallucination check: is each claim of a sentence found in the sources?

No network and no model weights. A sentence is checked for numbers, names and content
words that the sources do not contain, and for a negation or antonym that flips the source
clause it paraphrases. Each check yields a score; the sentence's score is the strongest one.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from guards.lexicon import WEAK
from guards.text import (
    SOFT_NUMBER_WORDS,
    Passage,
    antonym_stems,
    canonical,
    clauses,
    content_stems,
    duration_numbers,
    durations,
    loose_numbers,
    names,
    negated,
    numbers,
    numeric,
    polarity,
    prepare,
    quantities,
    stem,
    supported,
    vocabulary_of,
    word_numbers,
    words,
)
from guards.verdict import Verdict
from shared.events import Source
from shared.languages import detect, ready

# Sentences that make no claim about the business: courtesy, hedges, questions back.
_NON_CLAIM = re.compile(
    r"^(?:hi|hello|hey|thanks|thank you|sure|of course|certainly|absolutely|great question|good question|"
    r"i'?m sorry|sorry|unfortunately,? i|i (?:could ?n[o']t|can ?n[o']t|don'?t|do not|didn'?t) (?:find|see|know|have)|"
    r"i'?m not sure|let me know|feel free|hope (?:this|that) helps|is there anything|anything else|"
    r"here(?:'s| is| are) (?:what|how|a|the)|you(?:'re| are) welcome|happy to help|glad to help|"
    # The assistant introducing itself or what it can do: "I'm Ada, the Acme assistant."
    r"i'?m [\w ]{1,30},? (?:the|your) [\w ]{0,40}assistant|i can (?:help|answer|assist))\b",
    re.IGNORECASE,
)
# "I don't have that information" in the eight languages: a hedge, not a claim (when it has no number).
_UNKNOWN = re.compile(
    r"\bi (?:don'?t|do not|can'?t|cannot) (?:have|know|find|see)\b|\bi'?m (?:not sure|afraid i)\b|"
    r"\bno (?:tengo|dispongo de|sé|estoy segur[oa])\b|\bje n'ai pas\b|\bje ne (?:sais|suis) pas\b|"
    r"\b(?:habe|hab) ich (?:leider )?keine\b|\bich habe (?:leider )?keine\b|\b(?:weiß|weiss) ich (?:leider )?nicht\b|"
    r"\bich (?:weiß|weiss) (?:es |das )?(?:leider )?nicht\b|\bn[aã]o (?:tenho|sei)\b|\bnon (?:ho|so)\b|"
    r"\bnie (?:mam|wiem)\b|\b(?:weet|heb) ik (?:dat |het )?(?:niet|geen)\b|"
    r"\bik (?:weet|heb) (?:het |dat )?(?:niet|geen)\b",
    re.IGNORECASE,
)
# Pointing the visitor to a person or a contact, in the eight languages (when it has no number).
_REFERRAL = re.compile(
    r"\b(?:contact|call|email|e-mail|ask|reach|phone|message|ring)\b.{0,40}\b(?:us|team|staff|support|office|"
    r"reception|store|salon|desk|clinic|shop|customer service|colleagues|groomers|agents?)\b|"
    r"\b(?:team|staff|colleagues|groomers|agents?|office|reception)\b.{0,40}\b(?:help|tell|point|assist|answer|advise)|"
    r"happy to help|glad to help|"
    r"\b(?:contact(?:ar|e|en)|llam(?:ar|e|en)|escrib(?:ir|a|an))\b|encantad[oa]s? de ayudar|"
    r"\b(?:contacter|appeler|contactez|appelez)\b|ravis? de vous aider|n'h[ée]sitez pas|"
    r"\bkontaktieren\b|\brufen sie\b|\bwenden sie sich\b|\b(?:hilft|helfen) (?:ihnen|dir)\b|"
    r"\bentre em contato\b|\bligue\b|\bfale com\b|\bcontatar\b|prazer em ajudar|"
    r"\bcontatt\w+|\bchiam(?:i|are|ateci)\b|\brivolg\w+|saremo felici|"
    r"\bzadzwoni\w*|\bskontaktuj\w*|\bnapisz\w*|\bpomożemy\b|"
    r"\bneem\b.{0,20}\bcontact\b|\bbel(?:t|len)?\b.{0,20}\b(?:ons|klantenservice)\b|\bhelpen (?:u|je) graag\b",
    re.IGNORECASE,
)
# Wishes and welcomes: "We'd love to see you another day!", "Enjoy the movie!" (when it has no number).
_COURTESY = re.compile(
    r"\b(?:we'?d love to|we would love to|looking forward to|we look forward to|hope to see you|see you (?:soon|then)|"
    r"enjoy (?:the|your)|have a (?:great|nice|good|lovely) (?:day|time|evening|weekend|trip|stay))\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_MIN_CONTENT = 2
CLAUSE_MIN_WORDS = 3
COVERAGE_SLACK = 0.35
COVERAGE_SPAN = 0.4
# A content word only the visitor's question contains counts this much as unsupported: the
# question explains what the visitor brought up, it does not vouch for the business.
QUESTION_WEIGHT = 0.5
# A thing goes with a number at most this many words away ("plano mensal custa 119").
BIND_DISTANCE = 4


def _is_claim(sentence: str, lang: str = "en") -> bool:
    s = sentence.strip()
    if s.endswith(("?", ":")):
        return False
    bare = s.lstrip("*_#> ¡¿")
    if _NON_CLAIM.match(bare):
        return False
    has_number = bool(_DIGIT.search(numeric(s, lang))) or bool(numbers(s, claims_only=True, lang=lang))
    if not has_number:
        if s.endswith("!") and len(words(s)) <= 5:
            return False  # "Safe travels!", "Bonne journée !", "¡Que disfruten de su estancia!"
        if _UNKNOWN.search(s) or _REFERRAL.search(s) or _COURTESY.search(s):
            return False
    return len(content_stems(s, lang)) >= _MIN_CONTENT or has_number


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


WEAK_STEMS = frozenset(stem(w) for w in WEAK)


def _crossed(asked: set[str], stated: set[str]) -> set[str]:
    """Products and sums of one number the visitor gave and one the sources state."""
    out: set[str] = set()
    for a in (float(v) for v in asked if not v.endswith("%")):
        for b in (float(v) for v in stated if not v.endswith("%")):
            out.update({f"{a * b:g}", f"{a + b:g}", f"{abs(a - b):g}"})
    return out


def _derived(values: set[str]) -> set[str]:
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


def _counts_of(candidates: set[str], stated: set[str], claimed: set[str]) -> set[str]:
    """The small whole numbers among ``candidates`` that times a stated number give another claimed one."""
    out: set[str] = set()
    for n in candidates:
        if n.endswith("%") or not float(n).is_integer() or not 2 <= float(n) <= 12:
            continue
        products = {f"{float(n) * float(a):g}" for a in stated if not a.endswith("%")}
        if products & (claimed - {n}):
            out.add(n)
    return out


def _sums(values: set[str]) -> set[str]:
    """Sums of two different stated amounts ("a check-up and a cleaning: 120 + 200 zł")."""
    nums = sorted({float(v) for v in values if not v.endswith("%")})[:16]
    return {f"{a + b:g}" for i, a in enumerate(nums) for b in nums[i + 1 :]}


def _in_durations(sentence: str, passage: Passage, question: str) -> set[str]:
    """The sentence's numbers that state a length of time the sources (or the visitor) state in other
    units ("in due giorni" where the sources say "in 48 ore")."""
    stated = durations(passage.text, passage.lang) | (durations(question, passage.lang) if question else frozenset())
    return {number for number, days in duration_numbers(sentence, passage.lang) if days in stated}


_CLAIM_TOKEN = re.compile(r"[$€£]?\s?\d+(?:[.,:]\d+)?\s?(?:[$€£%]|zł|euros?|reais|dollars?)?|[^\W\d_][\w'’\-]*", re.I)
_MONEY = re.compile(r"[$€£]|zł|euro|reais|dollar", re.I)


def _number_slots(text: str, lang: str) -> list[tuple[int, str, bool]]:
    """(token index, value, is money) for each number of a text, in order."""
    text = numeric(text, lang)
    out: list[tuple[int, str, bool]] = []
    table = word_numbers(lang)
    for k, tok in enumerate(_CLAIM_TOKEN.findall(text)):
        if _DIGIT.search(tok):
            out.extend((k, v, bool(_MONEY.search(tok))) for v in numbers(tok, lang="en"))
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
    slots = _number_slots(text, lang)
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


def _misattached(
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


_FREE_WORD = re.compile(r"\bfree\b", re.I)


def _free_but_priced(part: str, src: str, lang: str) -> bool:
    """The claim calls something free that the source clause it paraphrases puts a price on."""
    if not _FREE_WORD.search(part) or _FREE_WORD.search(src):
        return False
    return any(m for _, _, m in _number_slots(src, lang))


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
    if not _is_claim(sentence, lang):
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
        derived = _derived(operands) if len(operands) >= 2 or asked_numbers else set()
        # A total built on a subtotal the sentence just worked out ("117 €, más 20 €: 137 €").
        steps = claimed & derived - passage.numbers
        missing_numbers -= derived | (_derived(operands | steps) if steps else set())
        # "twice a month at $12" -> "$24": one of the visitor's numbers with one of the sources'.
        missing_numbers -= _crossed(asked_numbers, set(passage.numbers))
    if missing_numbers:
        # A count the sentence multiplies by: "2 half hours at $45, so $90" (2 x 45 is the 90 it states).
        missing_numbers -= _counts_of(missing_numbers, set(passage.numbers) | asked_numbers, claimed)
    if missing_numbers and _MONEY.search(sentence):
        missing_numbers -= _sums({v for _, v, money in _number_slots(passage.text, passage.lang) if money})
    if missing_numbers:
        missing_numbers -= _in_durations(sentence, passage, question)
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
            wrong = _misattached(sentence, passage, claimed - asked_numbers - explained, asked, counts)
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
