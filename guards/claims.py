"""Whether a sentence makes a claim about the business at all: courtesy, hedges, referrals and
questions back do not, in the eight languages."""

from __future__ import annotations

import re

from guards.text import content_stems, numbers, numeric, words

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


def is_claim(sentence: str, lang: str = "en") -> bool:
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
