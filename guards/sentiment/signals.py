# ruff: noqa: E501  (regex alternations read better unbroken)
"""What a visitor message says beyond its words: asks for a human, anger, profanity, failure.

Plain functions over text, tuned on guards/eval/data/monitor.jsonl; general patterns
rather than that set's sentences.
"""

from __future__ import annotations

import re

from guards.sentiment import phrases
from guards.text import content_stems, numbers, supported
from shared.languages import detect

_HUMAN = r"(?:human|person|people|agent|someone|somebody|representative|rep|operator|staff|manager|supervisor|employee|customer (?:service|support|care)|support team|real one)"
_ASK_PATTERNS = (
    # "can I talk to a human", "put me through to an agent", "connect me with someone"
    re.compile(
        r"\b(?:talk|speak|chat|connect|transfer|put|get|escalate|switch|pass|hand)\w*\b[^.?!]{0,40}?\b"
        + _HUMAN
        + r"\b",
        re.I,
    ),
    re.compile(r"\b(?:real|live|actual|human)\s+(?:human|person|people|agent|being|support|rep)\b", re.I),
    re.compile(
        r"\b(?:someone|somebody|an? agent|a person|a human)\b(?:\s+\w+){0,3}?\s+(?:call|contact|email|phone|ring)\s+me\b",
        re.I,
    ),
    re.compile(
        r"\b(?:need|want|request|demand)\w*\s+(?:to\s+(?:talk|speak)\s+(?:to|with)\s+)?(?:an?\s+|the\s+|your\s+)?"
        + _HUMAN
        + r"\b",
        re.I,
    ),
    re.compile(
        r"\b(?:are you|is this|am i talking to)\s+(?:a\s+)?(?:bot|robot|machine|real)\b[^.?!]*\b(?:human|person)\b",
        re.I,
    ),
    # Indirect asks: "is there anyone I could talk to", "I'd rather deal with a real person",
    # "one of your people", "have someone from your team give me a ring".
    re.compile(r"\bis there (?:any|some)(?:one|body)\b[^.?!]{0,40}\b(?:talk|speak|help|call|chat)", re.I),
    re.compile(r"\b(?:rather|prefer)\w*\s+(?:to\s+)?(?:deal|talk|speak|chat)\w*\s+(?:with|to)\b", re.I),
    re.compile(r"\bone of your (?:people|staff|team|colleagues|employees)\b", re.I),
    re.compile(
        r"\b(?:some|any)(?:one|body) (?:from|at|in|on) (?:your|the) (?:team|support|staff|office|company)\b", re.I
    ),
    re.compile(r"\b(?:a|any) (?:staff|team) member\b|\bgive me a (?:ring|call)\b", re.I),
)
# A product called "AI agent" is not a person.
_PRODUCT = re.compile(r"\bAI[- ]?agents?\b", re.I)
# Quoted text is someone else's words ("my son keeps saying 'this game is sh*t'").
_QUOTED = re.compile(r"(?<!\w)['‘\"“«]([^'’\"”»\n]{2,120})['’\"”»](?!\w)")
_BARE_HUMAN = re.compile(
    r"\b(?:human|person|agent|representative|rep|operator|manager|supervisor|customer (?:service|support|care)|support team)\b",
    re.I,
)
_NOT_ASKING = re.compile(
    r"\b(?:don'?t|do not|no need to|not)\s+(?:need|want|have to|looking to)\s+(?:to\s+)?(?:talk|speak|an?|a|the|chat)?\b|"
    r"\bno need (?:for|to|of)\b",
    re.I,
)

_PROFANITY = re.compile(
    r"\b(?:f+u+c+k+\w*|f[\*\#@$%!]{1,3}c?k\w*|f[\*\#@]{2,}\w*|fck\w*|fk+ing|effing|motherf\w+|sh[i1\*]t+\w*|bullsh\w+|"
    r"crap\w*|damn\w*|dammit|goddamn\w*|b[i\*]tch\w*|bastard\w*|ass(?:hole)?s?|a[\*\$]{2}hole|dick\w*|piss\w*|"
    r"wtf|stfu|ffs|fml|bloody hell|hell(?= no| is| are| kind| of a)|screw (?:you|this|that|off)|suck(?:s|ed)? (?:ass|balls)|"
    r"idiot\w*|moron\w*|dumbass|jackass|twat|wank\w*|bollocks|prick|douche\w*)(?!\w)",
    re.I,
)

_ANGER_CUES = re.compile(
    r"\b(?:ridiculous|unacceptable|outrageous|absurd|useless|pathetic|worst|terrible|horrible|awful|disgusting|"
    r"furious|angry|livid|pissed|fed up|sick (?:and tired )?of|tired of|had enough|joke|incompetent|scam\w*|rip[- ]?off|"
    r"waste of (?:my )?(?:time|money)|are you kidding|kidding me|stupid|dumb|hate|garbage|trash|rubbish|nonsense|"
    r"shameful|disgrace\w*|are you (?:even )?(?:listening|reading)|never again|last time i|report you|lawyer|sue\b|chargeback|cancel everything|"
    r"for the (?:last|third|fifth|\w+) time|how (?:many|hard) (?:times|is it)|seriously\?|unbelievable|"
    r"no one (?:helps|answers|cares)|nobody (?:helps|answers|cares)|what is wrong with you|get your act together|"
    r"still (?:no|not|waiting|haven'?t)|(?:days|weeks|months) (?:later|now|and still)|zero help|no help|"
    r"(?:file|filing|lodge|lodging|make|making|raise|raising|submit) (?:a )?(?:formal )?complaint|bbb|better business bureau|"
    r"dispute (?:the|this|a) (?:charge|payment)|done with (?:this|you|your)|thanks for nothing|"
    r"nobody (?:is )?(?:doing|helping|responding)|(?:want|need) my money back|"
    r"(?:oh )?(?:great|fantastic|wonderful|brilliant|perfect|awesome|lovely)[,.!]*\s+(?:another|more of the same|still (?:no|not)|nothing))(?!\w)",
    re.I,
)

_FAILURE = re.compile(
    r"(?:not|isn'?t|wasn'?t) what i (?:asked|meant|said|wanted|need(?:ed)?)|"
    r"(?:you|that|this|it) (?:didn'?t|did not|doesn'?t|does not|don'?t|do not|never) (?:answer|address|help|understand|get it|read)|"
    r"(?:answer|read) (?:my|the) (?:question|message)|(?:not|isn'?t|wasn'?t|doesn'?t|didn'?t) (?:help(?:ful|ing)?|relevant|answer(?:ing)? (?:my|the) question)|"
    r"you(?:'re| are)? not (?:listening|understanding|getting it|helping)|i (?:already|just) (?:told|said|asked|explained|mentioned)|"
    r"(?:i )?asked (?:you )?(?:that|this|about) (?:already|before|twice)|same (?:answer|thing|reply|response)|"
    r"you keep (?:saying|repeating|telling|giving|sending)|(?:that'?s|that is|this is|it'?s) (?:wrong|incorrect|not right|not true|irrelevant)|"
    r"wrong answer|makes no sense|doesn'?t make (?:any )?sense|not (?:the|my) question|(?:again|once more),? (?:my|the) question|"
    r"let me (?:ask|try|rephrase|say) (?:it |this |that )?(?:again|differently|one more time)|i(?:'ll| will) ask (?:again|one more time)|"
    r"(?:still|again) (?:doesn'?t|didn'?t|not) (?:work|help|answer)|going in circles|you (?:misunderstood|misread)|"
    r"(?:nothing|not) to do with my (?:question|problem)|(?:doesn'?t|does not|didn'?t|did not) answer anything|"
    r"i said\b|that'?s not (?:it|right|correct|helpful|what)|no,? i (?:mean|meant|said|asked)|let me rephrase|"
    r"for the (?:second|third|fourth|fifth|last|\w+th) time|(?:asked|told you|explained)(?: this| that| it)? (?:twice|three times|again|already)",
    re.I,
)

_NEGATED = re.compile(r"\b(?:not|n't|never|no)\s+(?:\w+\s+)?$", re.I)  # "I'm not angry"
_SHOUT = re.compile(r"\b[^\W\d_a-zà-öø-ÿ]{3,}\b")
# Profanity aimed at the assistant or the business rather than at the situation.
_DIRECTED = re.compile(r"\b(?:you|your|this|these|off)\b", re.I)


def unquoted(text: str) -> str:
    """The text without quoted passages (and with "AI agent" product names removed)."""
    return _PRODUCT.sub("product", _QUOTED.sub(" ", text))


def asks_for_human(text: str, keywords: list[str]) -> bool:
    """An explicit request for a person (generic phrasing, or one of the tenant's keywords as a request),
    in English or, whatever the tenant's keywords, in es/fr/de/pt/it/pl/nl (guards/sentiment/phrases.py)."""
    text = unquoted(text)
    if phrases.asks_for_human(text) and not _NOT_ASKING.search(text):
        return True
    if _NOT_ASKING.search(text):
        # "I don't need a human" is no request; "I don't want a bot, but a real person" still is.
        parts = re.split(r"\bbut\b", text, flags=re.I)
        if len(parts) == 1:
            return False
        text = parts[-1]
    if any(p.search(text) for p in _ASK_PATTERNS):
        return True
    words = re.findall(r"[a-z']+", text.lower())
    if len(words) <= 4 and _BARE_HUMAN.search(text):
        return True  # "customer service please", "operator!"
    for keyword in keywords:
        kw = keyword.lower()
        if not re.search(rf"\b{re.escape(kw)}s?\b", text, re.I):
            continue
        # A bare keyword ("agent please", "HUMAN!!") is a request; in a longer sentence it needs a
        # request verb nearby, so "can I pay in person?" is not one.
        if len(words) <= 4:
            return True
        if re.search(
            rf"\b(?:want|need|get|give|see|have|find|let|bring|send|call|ask|contact)\w*\b[^.?!]{{0,25}}\b{re.escape(kw)}",
            text,
            re.I,
        ):
            return True
    return False


def has_profanity(text: str) -> bool:
    return bool(_PROFANITY.search(unquoted(text)))


def shouting(text: str) -> bool:
    """Mostly capital letters over several words (any alphabet: "MON COLIS N'EST TOUJOURS PAS ARRIVÉ").

    A run of exclamation marks alone is enthusiasm as often as anger ("Thank you so much!!!").
    """
    letters = [c for c in text if c.isalpha()]
    caps = sum(c.isupper() for c in letters)
    return len(letters) >= 8 and caps / len(letters) > 0.7 and len(_SHOUT.findall(text)) >= 3


def is_angry(text: str, compound: float) -> bool:
    """Anger: negative tone with an anger cue (any of the eight languages), shouting, or very negative tone."""
    text = unquoted(text)
    if phrases.angry(text):
        return True
    if "!!!" in text and compound <= -0.3:
        return True
    cue = any(not _NEGATED.search(text[: m.start()]) for m in _ANGER_CUES.finditer(text))
    # VADER often scores complaints as positive ("didn't show up. Terrible." = +0.37), so a cue wins
    # unless the message is clearly happy.
    if cue and compound < 0.5:
        return True
    if shouting(text) and compound <= 0.0:
        return True
    if has_profanity(text) and (_DIRECTED.search(text) or compound <= -0.6) and compound < 0.3:
        return True
    return compound <= -0.7


def says_failure(text: str) -> bool:
    """The visitor says the assistant failed them ("that's not what I asked", "no es lo que pregunté")."""
    return bool(_FAILURE.search(text)) or phrases.says_failure(text)


_META = frozenset({"ask", "asked", "again", "question", "repeat", "said", "told", "already", "once"})


_META_OTHER = frozenset(
    [
        "preguntar",
        "pregunta",
        "repetir",
        "otra",
        "vez",
        "demander",
        "question",
        "répéter",
        "fois",
        "fragen",
        "frage",
        "nochmal",
        "noch",
        "einmal",
        "mal",
        "perguntar",
        "pergunta",
        "vez",
        "chiedere",
        "domanda",
        "volta",
        "ripeto",
        "pytać",
        "pytanie",
        "raz",
        "vragen",
        "vraag",
        "nogmaals",
        "keer",
    ]
)


def normalise(text: str) -> list[str]:
    """A message as a set of content stems (lemmas, in its language) and numbers, for comparing questions."""
    lang = detect(text)
    stems = {s for s in content_stems(text, lang) if s not in _META and s not in _META_OTHER}
    return sorted(stems | numbers(text, lang=lang))


def _covered(words: set[str], by: set[str]) -> int:
    vocabulary = frozenset(by)
    return sum(1 for w in words if supported(w, vocabulary))


def repeats(text: str, earlier: list[list[str]], threshold: float = 0.8) -> bool:
    """The same question again: nothing new compared with an earlier message, or nearly the same words.

    A follow-up that adds a detail ("can I return shoes" -> "... shoes I wore indoors") is not a repeat.
    """
    current = set(normalise(text))
    if len(current) < 2:
        return False
    for previous in earlier:
        prev = set(previous)
        if not prev:
            continue
        inside = _covered(current, prev)
        if inside == len(current):
            return True
        jaccard = (inside + _covered(prev, current)) / (len(current) + len(prev))
        if jaccard >= threshold:
            return True
    return False
