# ruff: noqa: E501  (regex alternations read better unbroken)
"""What a visitor message says beyond its words: asks for a human, anger, profanity, failure.

Plain functions over text, tuned on guards/eval/data/monitor.jsonl; general patterns
rather than that set's sentences.
"""

from __future__ import annotations

import re

from guards.text import content_stems, numbers, supported

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
)
_BARE_HUMAN = re.compile(
    r"\b(?:human|person|agent|representative|rep|operator|manager|supervisor|customer (?:service|support|care)|support team)\b",
    re.I,
)
_NOT_ASKING = re.compile(
    r"\b(?:don'?t|do not|no need to|not)\s+(?:need|want|have to|looking to)\s+(?:to\s+)?(?:talk|speak|an?|a|the|chat)?\b",
    re.I,
)

_PROFANITY = re.compile(
    r"\b(?:f+u+c+k+\w*|f[\*\#@$%!]{1,3}c?k\w*|f[\*\#@]{2,}\w*|fck\w*|fk+ing|effing|motherf\w+|sh[i1\*]t+\w*|bullsh\w+|"
    r"crap\w*|damn\w*|dammit|goddamn\w*|b[i\*]tch\w*|bastard\w*|ass(?:hole)?s?|a[\*\$]{2}hole|dick\w*|piss\w*|"
    r"wtf|stfu|ffs|fml|bloody hell|hell(?= no| is| are| kind| of a)|screw (?:you|this|that|off)|suck(?:s|ed)? (?:ass|balls)|"
    r"idiot\w*|moron\w*|dumbass|jackass|twat|wank\w*|bollocks|prick|douche\w*)",
    re.I,
)

_ANGER_CUES = re.compile(
    r"\b(?:ridiculous|unacceptable|outrageous|absurd|useless|pathetic|worst|terrible|horrible|awful|disgusting|"
    r"furious|angry|livid|pissed|fed up|sick (?:and tired )?of|tired of|had enough|joke|incompetent|scam\w*|rip[- ]?off|"
    r"waste of (?:my )?(?:time|money)|are you kidding|kidding me|stupid|dumb|hate|garbage|trash|rubbish|nonsense|"
    r"shameful|disgrace\w*|are you (?:even )?(?:listening|reading)|never again|last time i|report you|lawyer|sue\b|chargeback|cancel everything|"
    r"for the (?:last|third|fifth|\w+) time|how (?:many|hard) (?:times|is it)|seriously\?|unbelievable|"
    r"no one (?:helps|answers|cares)|nobody (?:helps|answers|cares)|what is wrong with you|get your act together|"
    r"still (?:no|not|waiting|haven'?t)|(?:days|weeks|months) (?:later|now|and still)|zero help|no help)(?!\w)",
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
    r"i said\b|that'?s not (?:it|right|correct|helpful|what)|no,? i (?:mean|meant|said|asked)|let me rephrase|"
    r"for the (?:second|third|fourth|fifth|last|\w+th) time|(?:asked|told you|explained)(?: this| that| it)? (?:twice|three times|again|already)",
    re.I,
)

_NEGATED = re.compile(r"\b(?:not|n't|never|no)\s+(?:\w+\s+)?$", re.I)  # "I'm not angry"
_SHOUT = re.compile(r"\b[A-Z]{3,}\b")
# Profanity aimed at the assistant or the business rather than at the situation.
_DIRECTED = re.compile(r"\b(?:you|your|this|these|off)\b", re.I)


def asks_for_human(text: str, keywords: list[str]) -> bool:
    """An explicit request for a person (generic phrasing, or one of the tenant's keywords as a request)."""
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
    return bool(_PROFANITY.search(text))


def shouting(text: str) -> bool:
    """Mostly capital letters over several words, or a run of exclamation marks."""
    letters = [c for c in text if c.isalpha()]
    caps = sum(c.isupper() for c in letters)
    return (len(letters) >= 8 and caps / len(letters) > 0.7 and len(_SHOUT.findall(text)) >= 3) or "!!!" in text


def is_angry(text: str, compound: float) -> bool:
    """Anger: negative tone with an anger cue, shouting, or very negative tone alone."""
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
    """The visitor says the assistant failed them ("that's not what I asked")."""
    return bool(_FAILURE.search(text))


_META = frozenset({"ask", "asked", "again", "question", "repeat", "said", "told", "already", "once"})


def normalise(text: str) -> list[str]:
    """A message as a set of content stems and numbers, for comparing questions."""
    stems = {s for s in content_stems(text) if s not in _META}
    return sorted(stems | numbers(text))


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
