"""Sentence splitting of streamed replies: same sentences however the text is chunked."""

from __future__ import annotations

import pytest

from guards.sentences import SentenceBuffer, split_sentences

TEXT = (
    "Our store opens at 9 a.m. on weekdays. Refunds take 3.5 days, e.g. for cards. Dr. Lee runs it!\n"
    "- Returns are free\n- Exchanges too\nAnything else?"
)
EXPECTED = [
    "Our store opens at 9 a.m. on weekdays.",
    "Refunds take 3.5 days, e.g. for cards.",
    "Dr. Lee runs it!",
    "Returns are free",
    "Exchanges too",
    "Anything else?",
]


def test_split_sentences_keeps_abbreviations_decimals_and_list_items() -> None:
    sentences = split_sentences(TEXT)
    assert [s.text for s in sentences] == EXPECTED
    assert all(TEXT[s.start : s.end] == s.text for s in sentences)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 1000])
def test_streaming_in_any_chunks_gives_the_same_sentences(chunk: int) -> None:
    buffer = SentenceBuffer()
    got = []
    for offset in range(0, len(TEXT), chunk):
        got += buffer.apply_delta(offset, TEXT[offset : offset + chunk])
    got += buffer.finish(TEXT)
    assert [s.text for s in got] == EXPECTED
    assert [(s.start, s.end) for s in got] == [(s.start, s.end) for s in split_sentences(TEXT)]


def test_a_sentence_is_released_as_soon_as_its_terminator_streams() -> None:
    buffer = SentenceBuffer()
    assert buffer.apply_delta(0, "Returns are free") == []
    assert [s.text for s in buffer.apply_delta(16, ".")] == ["Returns are free."]


def test_a_decimal_point_at_the_end_of_a_chunk_waits_for_more_text() -> None:
    buffer = SentenceBuffer()
    assert buffer.apply_delta(0, "It costs 3.") == []
    assert buffer.apply_delta(11, "50 a month.") != []


def test_rewritten_text_before_the_cursor_is_split_again() -> None:
    buffer = SentenceBuffer()
    assert [s.text for s in buffer.apply_delta(0, "One claim. ")] == ["One claim."]
    # The producer restarted the reply from offset 0 with different text.
    assert [s.text for s in buffer.apply_delta(0, "Other claim. ")] == ["Other claim."]
