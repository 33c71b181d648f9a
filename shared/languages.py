"""Language tools the guards and retrieval share: detection (lingua), lemmas (simplemma), stopwords, number words.

Every library here works offline from data inside its wheel. Costs, measured on this machine:

- lingua, low-accuracy mode over the eight languages below: 0.1 s to build, ~40 MB, ~45 µs
  per short text (high-accuracy mode preloads 280 MB in 4.5 s: not worth it for chat lines);
- simplemma with its low-memory dictionaries: all eight languages ~130 MB (the default
  dictionaries take 800 MB, Polish alone 440 MB); loading a language takes 0.2-1.7 s (Polish
  the slowest; several times that on a loaded machine) and holds the GIL all along, so the
  services load their languages (GUARD_LANGUAGES, all eight by default) at start, and words
  of a language not loaded are only lower-cased: nothing loads while checks run;
- text2num (``alpha2digit``) for spelled-out numbers in en/es/fr/de/pt/it/nl: ~25 µs a sentence.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from simplemma import Lemmatizer
from simplemma.strategies import DefaultStrategy
from simplemma.strategies.dictionaries import LOW_MEMORY_DICTIONARY_FACTORY
from stop_words import get_stop_words
from text_to_num import alpha2digit

log = logging.getLogger(__name__)

# The languages the guards understand; anything else is treated as English.
LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "pl", "nl")
_LINGUA = {
    Language.ENGLISH: "en",
    Language.SPANISH: "es",
    Language.FRENCH: "fr",
    Language.GERMAN: "de",
    Language.PORTUGUESE: "pt",
    Language.ITALIAN: "it",
    Language.POLISH: "pl",
    Language.DUTCH: "nl",
}
_NUMBER_LANGUAGES = frozenset({"en", "es", "fr", "de", "pt", "it", "nl"})  # what text2num parses
_MIN_LETTERS = 12  # shorter texts ("ok", "agent!") are too short to tell apart: English

_lemmatizer = Lemmatizer(
    cache_max_size=0,  # cached below, per (word, language)
    lemmatization_strategy=DefaultStrategy(dictionary_factory=LOW_MEMORY_DICTIONARY_FACTORY),
)
_loaded: set[str] = set()
_loading = threading.Lock()


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_LINGUA).with_low_accuracy_mode().build()


@lru_cache(maxsize=4096)
def detect(text: str, default: str = "en") -> str:
    """ISO 639-1 code of the text's language among LANGUAGES; ``default`` when unsure or too short."""
    if sum(c.isalpha() for c in text) < _MIN_LETTERS:
        return default
    found = _detector().detect_language_of(text)
    return _LINGUA.get(found, default) if found is not None else default


@lru_cache(maxsize=4096)
def detect_among(text: str, candidates: frozenset[str], default: str = "en", confidence: float = 0.0) -> str:
    """The most likely of ``candidates`` (codes in LANGUAGES) for ``text``; ``default`` when the text is
    too short or the best candidate's confidence is below ``confidence``.

    Retrieval reads a question in one of its documents' languages (one language: that one, since
    low-accuracy detection takes short English questions for German), and a document in the
    language lingua is sure of.
    """
    if len(candidates) == 1:
        return next(iter(candidates))
    if sum(c.isalpha() for c in text) < _MIN_LETTERS:
        return default
    for value in _detector().compute_language_confidence_values(text):
        code = _LINGUA.get(value.language)
        if code in candidates:
            return code if value.value >= confidence else default
    return default


def warm(languages: Iterable[str] = ("en",)) -> None:
    """Load the detector and the lemma dictionaries of ``languages`` (at a service's start: seconds)."""
    # lingua loads each language's model on its first detection.
    _detector().detect_language_of("Bonjour, ¿dónde está mi paquete? Wo ist meine Bestellung, dziękuję, bedankt.")
    for lang in languages:
        if lang not in LANGUAGES:
            log.warning("no lemma dictionary for %r: its words are only lower-cased", lang)
            continue
        with _loading:
            if lang in _loaded:
                continue
            _lemmatizer.lemmatize("a", lang)
            _loaded.add(lang)
        log.info("lemma dictionary %s loaded", lang)
    # The dictionaries are large, long-lived object graphs: keep them out of the collector's
    # full passes, which otherwise add milliseconds to random checks.
    gc.freeze()


def ready(lang: str) -> bool:
    """Whether ``lang``'s dictionary is loaded: callers that cache lemmas key their caches on it."""
    return lang in _loaded


def lemma(word: str, lang: str) -> str:
    """The dictionary form of ``word`` (lower case); the word itself when ``lang`` was not loaded.

    English, the language of most sources and of the synonym lists, loads at first use when
    no service start loaded it (a library caller, a test: 0.2 s).
    """
    if lang in _loaded:
        return _lemma(word, lang)
    if lang == "en":
        warm(["en"])
        return _lemma(word, lang)
    return word.lower()


@lru_cache(maxsize=131072)
def _lemma(word: str, lang: str) -> str:
    lowered = word.lower()
    try:
        return _lemmatizer.lemmatize(lowered, lang).lower()
    except ValueError:
        return lowered


# English keeps the project's hand-made list (tuned on what assistants say); the others come
# from the stop-words package.
@lru_cache(maxsize=16)
def stopwords(lang: str) -> frozenset[str]:
    if lang == "en" or lang not in LANGUAGES:
        return frozenset()
    return frozenset(w.lower() for w in get_stop_words(lang)) | _MORE_STOPWORDS.get(lang, frozenset())


# Sentence adverbs the stop-words lists lack ("already", "gladly", "with it"): they state nothing
# about the business, yet a paraphrase uses them freely ("ein Helm ist schon dabei").
_MORE_STOPWORDS = {
    "de": frozenset(["schon", "bereits", "dabei", "dazu", "gerne", "gern", "eben", "halt", "ja", "doch", "mal"]),
    "fr": frozenset(["déjà"]),
    "it": frozenset(["già"]),
}


_DIGITS = re.compile(r"\d")


@lru_cache(maxsize=8192)
def digits(text: str, lang: str) -> str:
    """Spelled-out numbers as digits ("twenty-four hours" -> "24 hours"); small ones stay words."""
    if lang not in _NUMBER_LANGUAGES:
        return text
    try:
        return alpha2digit(text, lang)
    except Exception:  # the parser is strict about odd input; the text as written is the fallback
        return text
