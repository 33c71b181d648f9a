"""Word lists the offline checks share: stopwords, negation cues, synonym groups.

Kept generic (support-desk English, not any one tenant): the checks must hold on text they
were never tuned on.
"""

from __future__ import annotations


def wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = wordset(
    """a an the and or but if then else of to in on at by for with from as into onto about over under up down out
    off is are was were be been being am do does did doing have has had having will would shall should may might
    must can could this that these those it its it's there here their them they we us our ours you your yours he
    she his her him i me my mine who whom whose which what when where why how all any each every some such so too
    very just also only even still yet than more most less least much many few both either one's own same other
    another again further once per via while during before after because since until unless within without
    whether get gets got getting make makes made let lets please thanks thank sure okay ok yes hi hello hey well
    really usually typically generally currently always often sometimes simply quite rather etc like that's
    what's let's i'm i've i'll we're we've we'll you're you've you'll they're it'll don't doesn't can't won't
    she he she's he's she'll he'll she'd he'd you'd we'd they'd they'll they've it'd"""
)

# Words that carry no claim in an assistant's sentence ("happy to help", "you can check").
CHATTER = wordset(
    """help helps helped happy glad assist assistance question questions know let answer info information
    detail details need want like note check find found see look able way thing things something anything
    everything mention mentioned according docs documentation source sources page article say says said
    great good kind best regards"""
)

# Light verbs and fillers: a paraphrase uses them freely, so a missing one is weak evidence.
WEAK = wordset(
    """go goes going went come comes came give gives gave giving take takes took put puts keep keeps use uses used
    show shows set sets turn turns hear back whole full right away bit lot way end start sure stay stays work works
    find finds look looks tell tells mean means try tries reach bring brings wait waits ahead clear plus once
    one-time"""
)

NEGATIONS = wordset(
    "not no never none nothing nobody nowhere neither nor cannot can't won't don't doesn't didn't isn't aren't "
    "wasn't weren't hasn't haven't hadn't shouldn't wouldn't couldn't mustn't without non unable"
)

# Pairs where one word states the opposite of the other: a swap flips the claim.
ANTONYMS = (
    ("allowed", "prohibited"),
    ("allowed", "forbidden"),
    ("included", "excluded"),
    ("available", "unavailable"),
    ("refundable", "nonrefundable"),
    ("accept", "reject"),
    ("accepted", "rejected"),
    ("required", "optional"),
    ("mandatory", "optional"),
    ("free", "paid"),
    ("before", "after"),
    ("minimum", "maximum"),
    ("increase", "decrease"),
    # not ("more", "less"): "at least $1,000" restates "$1,000 or more" (and "least" lemmatises to "little").
    ("enabled", "disabled"),
    ("public", "private"),
    ("always", "never"),
    ("open", "closed"),
    ("domestic", "international"),
    ("lower", "higher"),
    ("earliest", "latest"),
    ("online", "offline"),
)

SYNONYMS = (
    {"refund", "reimburse", "reimbursement", "repay"},
    {"return", "send back"},
    {"ship", "shipping", "deliver", "delivery", "dispatch", "send", "sent", "arrive", "arrival"},
    {"buy", "purchase", "order", "bought"},
    {"cost", "price", "fee", "charge", "pay", "payment", "rate"},
    {"free", "complimentary", "gratis"},
    {"cancel", "cancellation", "terminate", "end"},
    {"customer", "client", "shopper", "buyer", "member", "user"},
    {"begin", "start", "commence", "open"},
    {"finish", "expire", "lapse", "close"},
    {"quick", "fast", "rapid", "express", "speedy"},
    {"big", "large", "huge"},
    {"small", "little", "tiny"},
    {"support", "help", "assist", "service"},
    {"contact", "reach", "call", "phone", "telephone", "email", "e-mail", "message"},
    {"receive", "get", "obtain"},
    {"need", "require", "must", "mandatory", "necessary"},
    {"allow", "permit", "let", "can", "may", "able", "eligible"},
    {"item", "product", "article", "goods", "merchandise", "purchase"},
    {"account", "profile"},
    {"change", "modify", "update", "edit", "adjust", "switch"},
    {"remove", "delete", "erase"},
    {"repair", "fix", "service"},
    {"damaged", "broken", "defective", "faulty"},
    {"unused", "unworn", "new", "unopened", "original"},
    {"receipt", "proof"},
    {"warranty", "guarantee"},
    {"store", "shop", "location", "branch"},
    {"hour", "hr", "hrs"},
    {"minute", "min", "mins"},
    {"annual", "yearly", "year", "annually"},
    {"monthly", "month"},
    {"weekday", "weekdays", "business"},
    {"card", "credit", "debit"},
    {"transfer", "move", "send"},
    {"limit", "cap", "maximum", "max", "up to"},
    {"minimum", "least", "min"},
    {"plan", "tier", "subscription", "package"},
    {"staff", "team", "agent", "employee", "representative"},
    {"exchange", "swap", "replace", "replacement"},
    {"fee", "surcharge", "charge"},
    {"request", "ask", "apply", "submit"},
    {"complete", "finish", "done"},
    {"take", "takes", "last", "require"},
    {"process", "handle", "review"},
    {"week", "weekly"},
    {"kid", "child", "children", "kids"},
    {"photo", "picture", "image"},
    {"password", "passcode", "credentials"},
    {"login", "log", "sign", "signin"},
    {"app", "application"},
    {"bag", "luggage", "baggage", "suitcase"},
    {"trip", "travel", "journey", "flight"},
    {"room", "suite"},
    {"pet", "animal"},
    {"appointment", "booking", "reservation", "book", "reserve"},
    {"discount", "off", "reduction", "deal", "sale"},
    {"person", "people", "guest", "guests"},
)

NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "once": 1,
    "twice": 2,
    "single": 1,
    "double": 2,
    "half": 0.5,
    "dozen": 12,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
}


# ---- Other languages (es, fr, de, pt, it, pl, nl). Stopwords come from the stop-words package;
# these are the few closed word classes the checks reason with.

NEGATIONS_BY_LANG = {
    # "except" words too: "returnable, except made-to-measure" denies it of made-to-measure.
    "es": wordset("no nunca jamás ni sin ningún ninguna ninguno nada nadie tampoco excepto salvo"),
    "fr": wordset("ne n' pas jamais aucun aucune sans rien personne ni sauf"),  # "non ouverts": an attribute
    "de": wordset("nicht kein keine keinen keinem keiner keines nie niemals ohne nichts weder außer ausgenommen"),
    "pt": wordset("não nunca nem sem nenhum nenhuma nada ninguém exceto salvo"),
    "it": wordset("non mai né senza nessun nessuno nessuna niente nulla tranne eccetto salvo"),
    "pl": wordset("nie nigdy bez żaden żadna żadne nic ani oprócz"),
    "nl": wordset("niet geen nooit zonder niets noch behalve"),
}

# Words that open a yes/no answer ("No, the first visit is free"): not a negation of the claim.
ANSWER_PARTICLES = wordset("yes no nope yeah yep sí si no non oui nein ja doch não sim tak nie nee ja")

# Small number words text2num leaves as words, and Polish (which text2num does not parse).
SMALL_NUMBERS = {
    "es": {"dos": 2},
    "fr": {"deux": 2},
    "de": {"zwei": 2, "zwo": 2},
    "pt": {"dois": 2, "duas": 2},
    "it": {"due": 2},
    "nl": {"twee": 2},
    "pl": {
        "dwa": 2,
        "dwie": 2,
        "dwóch": 2,
        "trzy": 3,
        "trzech": 3,
        "cztery": 4,
        "czterech": 4,
        "pięć": 5,
        "sześć": 6,
        "siedem": 7,
        "osiem": 8,
        "dziewięć": 9,
        "dziesięć": 10,
        "dwanaście": 12,
        "dwadzieścia": 20,
        "trzydzieści": 30,
    },
}

# Courtesy and referral vocabulary: carries no claim about the business in any sentence.
CHATTER_BY_LANG = {
    "es": wordset(
        "gracias ayuda ayudar ayudarle ayudarte encantado encantados encantada pregunta información "
        "disfrute disfruten disfrutar saludos recomiendo recomendamos contactar llamar"
    ),
    "fr": wordset(
        "merci aide aider ravi ravis heureux question questions information informations hésitez "
        "bonne bon contacter appeler demander"
    ),
    "de": wordset(
        "danke dank hilfe helfen hilft gern gerne frage fragen informationen information schönen tag "
        "kontaktieren anrufen wenden"
    ),
    "pt": wordset(
        "obrigado obrigada ajuda ajudar pergunta informação informações bom boa dia contato contatar ligar aproveite"
    ),
    "it": wordset(
        "grazie aiuto aiutare aiutarla domanda informazione informazioni buona buon giornata contattare chiamare"
    ),
    "pl": wordset(
        "dziękuję dziękujemy pomoc pomóc pomożemy chętnie pytanie informacji informacja zadzwonić skontaktować proszę"
    ),
    "nl": wordset("bedankt dank hulp helpen graag vraag informatie gerust contact opnemen bellen fijne dag"),
}
