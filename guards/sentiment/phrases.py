# ruff: noqa: E501  (regex alternations read better unbroken)
"""How visitors ask for a person, complain and say the assistant failed them, in the eight languages
the guards detect (en, es, fr, de, pt, it, pl, nl). English lives in signals.py; these are the others.

Patterns are matched on the lower-cased message; each language's list is tried whatever the
detected language (a short message is often detected wrongly, and a pattern of another
language rarely matches by accident).
"""

from __future__ import annotations

import re

# Someone who is not the assistant.
_PERSON = {
    "es": r"(?:persona|humano|agente|asesor|asesora|operador|operadora|representante|alguien|empleado|encargado|responsable)",
    "fr": r"(?:personne|humain|humaine|conseiller|conseillère|agent|opérateur|opératrice|quelqu'un|responsable|employé)",
    "de": r"(?:mensch|menschen|person|mitarbeiter|mitarbeiterin|berater|beraterin|kundendienst|kundenservice|jemand|jemandem|jemanden|vorgesetzten)",
    "pt": r"(?:pessoa|humano|atendente|agente|operador|alguém|funcionário|responsável)",
    "it": r"(?:persona|umano|operatore|operatrice|addetto|consulente|qualcuno|responsabile)",
    "pl": r"(?:człowiek\w*|konsultant\w*|osob\w*|pracownik\w*|kimś|agent\w*|doradc\w*)",
    "nl": r"(?:persoon|mens|medewerker|medewerkster|iemand|klantenservice|adviseur)",
}

ASK_HUMAN = {
    "es": [
        rf"\b(?:hablar|comunicarme|contactar) con (?:un|una|el|la|algún|alguna)?\s*{_PERSON['es']}",
        r"\b(?:persona|agente|humano) (?:real|de verdad|humano)\b",
        r"\bque me atienda\b",
        r"\b(?:pásame|páseme|pásenme|pasadme|comuníqueme|transfiérame) con\b",
        r"\b(?:atención al cliente|servicio al cliente)\b",
        rf"\b(?:quiero|necesito|exijo|prefiero) (?:a |un |una )?{_PERSON['es']}\b",
        rf"\b(?:me puede|me podría|puede|podría) atender (?:alguien|{_PERSON['es']})",
    ],
    "fr": [
        rf"\bparler (?:à|a|avec) (?:un|une|quelqu'un|le|la|votre)?\s*{_PERSON['fr']}",
        r"\b(?:vrai|vraie|véritable) (?:humain|personne|conseiller)\b",
        r"\bpassez-moi\b|\bmettez-moi en relation\b|\btransférez-moi\b",
        r"\bservice client\b",
        rf"\b(?:je veux|je voudrais|j'aimerais|je souhaite) (?:un|une) {_PERSON['fr']}",
        r"\bquelqu'un (?:peut|pourrait) (?:me rappeler|m'appeler|me contacter|m'aider)\b",
    ],
    "de": [
        rf"\b(?:mit|an) (?:einem|einer|einen|dem|der|ihrem|ihrer)?\s*(?:echten\s+)?{_PERSON['de']}\b",
        r"\b(?:echte|echten|echter|richtige|richtigen) (?:person|mensch|menschen|mitarbeiter)\b",
        r"\bverbinden sie mich\b|\bstellen sie mich durch\b",
        rf"\b(?:will|möchte|brauche|verlange) (?:sofort |bitte )?(?:einen|eine|einem) {_PERSON['de']}",
        r"\bkann mich (?:jemand|ein mitarbeiter) (?:anrufen|zurückrufen|kontaktieren)\b",
    ],
    "pt": [
        rf"\bfalar com (?:um|uma|o|a|algum|alguma)?\s*{_PERSON['pt']}",
        r"\b(?:pessoa|humano|atendente) (?:real|de verdade)\b",
        r"\bme (?:passa|passe|transfira|transfere) (?:para|pra)\b",
        r"\batendente\b",
        rf"\b(?:quero|preciso|gostaria de) (?:um |uma )?{_PERSON['pt']}",
    ],
    "it": [
        rf"\bparlare con (?:un|una|uno|qualcuno|l'|il|la)?\s*{_PERSON['it']}",
        r"\b(?:persona|operatore) (?:vera|vero|reale|umano)\b",
        r"\bmi (?:passi|passate|metta in contatto|trasferisca)\b",
        r"\boperatore\b",
        rf"\b(?:voglio|vorrei|ho bisogno di) (?:un |una )?{_PERSON['it']}",
    ],
    "pl": [
        rf"\b(?:rozmawiać|porozmawiać|rozmowy|rozmowę|połączyć|połączenie|połącz|kontakt) z\s+(?:\w+\s+)?{_PERSON['pl']}",
        r"\bprawdziw\w* (?:człowiek\w*|osob\w*|konsultant\w*)",
        rf"\b(?:chcę|potrzebuję|proszę o) (?:\w+\s+)?{_PERSON['pl']}",
        r"\bkonsultant\w*\b",
    ],
    "nl": [
        rf"\b(?:spreken|praten|bellen|chatten) (?:met|tegen) (?:een|de|iemand)?\s*{_PERSON['nl']}",
        rf"\bmet (?:een |de )?(?:echt\w* )?{_PERSON['nl']} (?:spreken|praten)\b",
        r"\b(?:echt|echte) (?:persoon|mens|medewerker)\b",
        r"\bverbind (?:me|mij) door\b|\bdoorverbinden\b",
        r"\bkan iemand (?:van|bij) .{0,30}(?:bellen|mailen|helpen)\b",
        rf"\b(?:wil|zou graag) (?:graag )?(?:een|de) {_PERSON['nl']}\b",
    ],
}

# "No need for an agent", "ich brauche keinen Mitarbeiter": a negated ask is no ask.
NOT_ASKING = {
    "es": rf"\bno (?:hace falta|necesito|quiero|es necesario)\b.{{0,40}}(?:{_PERSON['es']}|nadie)|\bsin (?:necesidad de )?{_PERSON['es']}",
    "fr": rf"\bpas (?:besoin|la peine)\b.{{0,30}}{_PERSON['fr']}|\bje ne (?:veux|souhaite) (?:pas|parler à personne)",
    "de": rf"\b(?:brauche|möchte|will) (?:keinen|keine|kein|nicht)\b.{{0,30}}{_PERSON['de']}|\bkein {_PERSON['de']} nötig",
    "pt": rf"\bn[aã]o (?:preciso|quero|é necessário)\b.{{0,30}}(?:{_PERSON['pt']}|ninguém)",
    "it": rf"\bnon (?:serve|ho bisogno|voglio|è necessario)\b.{{0,30}}(?:{_PERSON['it']}|nessuno)",
    "pl": rf"\bnie (?:potrzebuję|chcę|trzeba)\b.{{0,30}}{_PERSON['pl']}",
    "nl": rf"\bgeen {_PERSON['nl']} nodig|\b(?:hoef|wil) (?:geen|niet)\b.{{0,30}}{_PERSON['nl']}",
}

ANGER = {
    "es": r"\b(?:vergüenza|vergonzoso|inaceptable|indignante|inadmisible|reclamaci[oó]n|queja|denuncia\w*|harto|harta|ridículo|estafa|timo|basura|pésimo|nefasto|abogado|consumo)\b",
    "fr": r"\b(?:inadmissible|inacceptable|scandal\w*|honteu\w*|honte|plainte|ridicule|marre|arnaque|nul|lamentable|avocat|porter plainte|incompétent\w*)\b",
    "de": r"\b(?:frechheit|unverschämt\w*|beschwer\w*|inakzeptabel|lächerlich|skandal\w*|anwalt|betrug|abzocke|unmöglich|sauerei|katastrophe|verbraucherzentrale)\b",
    "pt": r"\b(?:absurdo|vergonha|reclamar|reclamação|procon|inaceitável|ridículo|palhaçada|golpe|péssimo|advogado|processar)\b",
    "it": r"\b(?:vergogna|vergognoso|reclamo|inaccettabile|ridicolo|assurdo|denuncia\w*|truffa|pessimo|schifo|avvocato|associazione consumatori)\b",
    "pl": r"(?:skandal\w*|reklamacj\w*|skarg\w*|żenad\w*|niedopuszczaln\w*|oszust\w*|kpin\w*|prawnik\w*|beznadziejn\w*|rzecznik\w*)",
    "nl": r"\b(?:belachelijk|schandalig|schande|klacht|onacceptabel|waardeloos|oplichting|advocaat|bespottelijk|geschillencommissie)\b",
}

# The visitor says the assistant failed them, or that they are asking again.
FAILURE = {
    "es": r"\bno es lo que (?:pregunté|preguntaba|pedí)\b|\bno (?:me )?(?:has|ha) (?:respondido|contestado)\b|\bya (?:te |lo )?(?:pregunté|dije)\b|\bno responde\w* (?:a )?mi pregunta\b|\bte lo repito\b|\bpor (?:tercera|segunda|enésima) vez\b|\bla tercera vez\b",
    "fr": r"\bce n'est pas (?:ce que|ma question)\b|\bvous ne répondez pas\b|\bje (?:répète|l'ai déjà dit|vous ai déjà)\b|\bpas répondu\b|\bpour la (?:deuxième|troisième|énième) fois\b",
    "de": r"\bdas habe ich nicht gefragt\b|\bbeantwortet (?:meine|die) frage nicht\b|\bnoch ?(?:ein)?mal\s*:|\bich (?:habe|hab) (?:doch )?(?:schon|bereits) gefragt\b|\bzum (?:zweiten|dritten|x-ten) mal\b|\bsie verstehen (?:mich )?nicht\b|\bdas war nicht meine frage\b",
    "pt": r"\bn[aã]o (?:foi|é) (?:isso )?o que (?:eu )?perguntei\b|\bj[aá] perguntei\b|\bvoc[eê] n[aã]o (?:respondeu|entendeu)\b|\bn[aã]o respondeu (?:a )?minha pergunta\b|\bpela (?:segunda|terceira) vez\b",
    "it": r"\bnon è quello che ho chiesto\b|\bnon (?:ha|hai) risposto\b|\bripeto\b|\bte l'ho già (?:chiesto|detto)\b|\bho già chiesto\b|\bper la (?:seconda|terza) volta\b",
    "pl": r"\bnie o to pyta\w*|\bjuż (?:pytał\w*|mówił\w*)\b|\bnie odpowiedzia\w*|\bpo raz (?:drugi|trzeci|kolejny)\b|\btrzeci raz\b|\bto już (?:drugi|trzeci) raz\b",
    "nl": r"\bdat is niet wat ik vroeg\b|\bdat vroeg ik niet\b|\bik vroeg al\b|\bgeen antwoord op mijn vraag\b|\bvoor de (?:tweede|derde) keer\b|\bnogmaals\s*:",
}

_ASK = [re.compile(p, re.I) for patterns in ASK_HUMAN.values() for p in patterns]
_NOT_ASKING = re.compile("|".join(f"(?:{p})" for p in NOT_ASKING.values()), re.I)
_ANGER = re.compile("|".join(f"(?:{p})" for p in ANGER.values()), re.I)
_FAILURE = re.compile("|".join(f"(?:{p})" for p in FAILURE.values()), re.I)


def asks_for_human(text: str) -> bool:
    if _NOT_ASKING.search(text):
        return False
    return any(p.search(text) for p in _ASK)


def angry(text: str) -> bool:
    return bool(_ANGER.search(text))


def says_failure(text: str) -> bool:
    return bool(_FAILURE.search(text))
