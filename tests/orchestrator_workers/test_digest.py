"""The offline digest: deterministic title, extractive summary and tags."""

from __future__ import annotations

from orchestrator.workers.digest import TITLE_MAX, Turn, extractive_summary, keywords, offline_digest, title_from

TURNS = [
    Turn("visitor", "Hi! How do I reset the password on my router?"),
    Turn(
        "assistant",
        "To reset the router password, hold the reset button for ten seconds. "
        "The router restarts with the default password printed on its label. "
        "Thanks for asking.",
    ),
    Turn("visitor", "The reset button on the router does nothing."),
    Turn("assistant", "Then unplug the router, wait a minute, and hold the reset button while plugging it in."),
]


def test_title_is_the_first_visitor_message() -> None:
    assert title_from(TURNS) == "Hi! How do I reset the password on my router?"


def test_long_titles_are_cut_at_a_word() -> None:
    title = title_from([Turn("visitor", "word " * 40)])
    assert len(title) <= TITLE_MAX + 1
    assert title.endswith("word…")


def test_title_without_visitor_text() -> None:
    assert title_from([Turn("assistant", "Welcome!")]) == "New conversation"


def test_summary_keeps_the_most_representative_sentences_in_order() -> None:
    summary = extractive_summary(TURNS, sentences=2)
    assert "Thanks for asking." not in summary
    sentences = [s for s in summary.split(". ") if s]
    assert len(sentences) == 2
    # Original order is kept.
    assert summary.index("reset") <= summary.index("button")


def test_tags_are_content_words_by_frequency() -> None:
    tags = keywords(TURNS)
    assert set(tags[:3]) == {"router", "reset", "button"}
    assert not {"the", "how", "thanks"} & set(tags)


def test_offline_digest_is_deterministic() -> None:
    assert offline_digest(TURNS) == offline_digest(list(TURNS))
