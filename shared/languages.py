"""Language tools the guards and retrieval share: detection (lingua), lemmas (simplemma), stopwords, number words.

Every library here works offline from data inside its wheel. Costs, measured on this machine:

- lingua, low-accuracy mode over the eight languages below: 0.1 s to build, ~40 MB, ~45 µs
  per short text (high-accuracy mode preloads 280 MB in 4.5 s: not worth it for chat lines);
- simplemma with its low-memory dictionaries: all eight languages ~100 MB (the default
  dictionaries take 800 MB, Polish alone 440 MB); loading a language takes 0.5-9 s (Polish
  the slowest), so a dictionary loads in a background thread the first time its language is
  seen (services warm English at start), and until then words of that language are only
  lower-cased instead of blocking a check;
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
_requested: set[str] = set()
_loading = threading.Lock()
# The name of the thread that loads dictionaries (tests wait for it between tests).
LOADER_THREAD = "guards-lemmas"


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


def warm(languages: Iterable[str] = ("en",), *, background: bool = True) -> threading.Thread | None:
    """Load the lemma dictionaries (and the detector) ahead of use; in a thread unless told otherwise."""

    wanted = [lang for lang in languages if lang in LANGUAGES and lang not in _loaded]

    def load() -> None:
        # lingua loads each language's model on its first detection.
        _detector().detect_language_of("Bonjour, ¿dónde está mi paquete? Wo ist meine Bestellung, dziękuję, bedankt.")
        for lang in wanted:
            with _loading:
                if lang in _loaded:
                    continue
                _lemmatizer.lemmatize("a", lang)
                _loaded.add(lang)
            log.info("lemma dictionary %s loaded", lang)
        # The dictionaries are large, long-lived object graphs: keep them out of the collector's
        # full passes, which otherwise add milliseconds to random checks.
        gc.freeze()

    if not background:
        load()
        return None
    thread = threading.Thread(target=load, name=LOADER_THREAD, daemon=True)
    thread.start()
    return thread


def ready(lang: str) -> bool:
    """Whether ``lang``'s dictionary is loaded: callers that cache lemmas key their caches on it."""
    return lang in _loaded


def lemma(word: str, lang: str) -> str:
    """The dictionary form of ``word`` (lower case); the word itself while its language is loading.

    English, the language of most sources and of the synonym lists, loads at first use (1.5 s).
    """
    if lang in _loaded:
        return _lemma(word, lang)
    if lang == "en":
        warm(["en"], background=False)
        return _lemma(word, lang)
    lowered = word.lower()
    if lang not in _requested and lang in LANGUAGES:
        _requested.add(lang)
        warm([lang])
    return lowered


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
    return frozenset(w.lower() for w in get_stop_words(lang))


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
