"""Lemma dictionaries load when a guard service starts, never while it checks (shared.languages)."""

from __future__ import annotations

import threading

from guards.sentiment.app import create_broker
from shared import languages
from shared.settings import Settings


def test_the_languages_to_load_are_read_comma_separated_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("GUARD_LANGUAGES", "en, pl,nl")
    assert Settings(_env_file=None).guard_languages == ["en", "pl", "nl"]
    monkeypatch.delenv("GUARD_LANGUAGES")
    assert set(Settings(_env_file=None).guard_languages) == set(languages.LANGUAGES), "all eight by default"


def test_a_service_start_loads_its_languages_and_checks_never_load_one() -> None:
    threads = set(threading.enumerate())
    # A language no start asked for: its words are only lower-cased, and nothing starts loading it.
    if not languages.ready("it"):
        assert languages.lemma("Spedizioni", "it") == "spedizioni"
        assert not languages.ready("it")
    create_broker(Settings(_env_file=None, guard_languages=["nl"]))
    assert languages.ready("nl")
    assert languages.lemma("Bestellingen", "nl") == "bestelling"
    assert set(threading.enumerate()) <= threads, "no loader thread left running"
