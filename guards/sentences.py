"""Split a streaming reply into sentences as soon as each one is complete."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from guards.lexicon import wordset

# Words whose trailing period does not end a sentence.
_ABBREVIATIONS = wordset(
    "mr mrs ms dr prof st sr jr vs etc inc ltd co corp e.g i.e approx dept est no fig jan feb mar apr jun jul aug "
    "sep sept oct nov dec mon tue wed thu fri sat sun a.m p.m u.s"
)
_TERMINATORS = ".!?"
_CLOSERS = "\"')]*_”’"


@dataclass(frozen=True)
class Sentence:
    """One sentence of a reply and where it sits in the reply text."""

    start: int
    end: int
    text: str


def _word_before(text: str, i: int) -> str:
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "."):
        j -= 1
    return text[j:i].lower()


def _ends_sentence(text: str, i: int, final: bool) -> int | None:
    """If a sentence ends at the terminator text[i], return the offset just past it (and its closers).

    Returns None when it does not end there, or when we cannot know yet (more text may follow).
    """
    j = i + 1
    while j < len(text) and text[j] in _TERMINATORS + _CLOSERS:
        j += 1
    if text[i] == "." and (_word_before(text, i) in _ABBREVIATIONS or text[i - 1 : i] == "."):
        return None
    if j < len(text):
        return j if text[j].isspace() else None
    if final:
        return j
    # At the end of what has streamed so far: decide now rather than wait for the next delta,
    # except where the period may belong to a number (3.5), an abbreviation or an ellipsis.
    if text[i] != ".":
        return j
    before = text[i - 1] if i > 0 else ""
    if not before.isalpha() or text[i - 1 : i + 1] == "..":
        return None
    word = _word_before(text, i)
    if word in _ABBREVIATIONS or len(word) == 1:
        return None
    return j


@dataclass
class SentenceBuffer:
    """Accumulates a reply's text; ``feed`` returns the sentences completed by new text."""

    text: str = ""
    cursor: int = 0  # everything before this offset has been emitted as sentences
    _scan: int = field(default=0, repr=False)

    def apply_delta(self, offset: int, delta: str) -> list[Sentence]:
        """Apply a MessageDelta (text[:offset] + delta) and return newly completed sentences."""
        if offset < self.cursor:
            # The reply was rewritten before text we already emitted; restart from the rewrite.
            self.cursor = offset
        self.text = self.text[:offset] + delta
        self._scan = min(self._scan, offset)
        return self._drain(final=False)

    def finish(self, full_text: str | None = None) -> list[Sentence]:
        """The reply is complete: return whatever sentences remain (the last one may lack a period)."""
        if full_text is not None and full_text != self.text:
            common = 0
            for a, b in zip(self.text, full_text, strict=False):
                if a != b:
                    break
                common += 1
            self.text = full_text
            self.cursor = min(self.cursor, common)
            self._scan = min(self._scan, common)
        return self._drain(final=True)

    def _drain(self, final: bool) -> list[Sentence]:
        out: list[Sentence] = []
        text = self.text
        i = max(self._scan, self.cursor)
        while i < len(text):
            ch = text[i]
            end: int | None = None
            if ch == "\n":
                end = i
            elif ch in _TERMINATORS and not text[self.cursor : i].strip().isdigit():  # "2." opens a list item
                end = _ends_sentence(text, i, final)
            if end is not None:
                sentence = _make(text, self.cursor, end)
                if sentence is not None:
                    out.append(sentence)
                self.cursor = end if ch != "\n" else i + 1
                i = self.cursor
                continue
            i += 1
        self._scan = i if not final else len(text)
        if final:
            tail = _make(text, self.cursor, len(text))
            if tail is not None:
                out.append(tail)
            self.cursor = len(text)
        else:
            # Re-scan the last few characters next time: a terminator near the end may be decided later.
            self._scan = max(self.cursor, len(text) - 4)
        return out


_MARKER = re.compile(r"^(?:[-*•>]+|#{1,6}|\d{1,2}[.)])\s+")


def _make(text: str, start: int, end: int) -> Sentence | None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return None
    skip = len(chunk) - len(chunk.lstrip())
    # Markdown list and heading markers are not part of the claim.
    marker = _MARKER.match(chunk[skip:])
    if marker and skip + marker.end() < len(chunk.rstrip()):
        skip += marker.end()
    s = start + skip
    e = start + len(chunk.rstrip())
    return Sentence(start=s, end=e, text=text[s:e])


def split_sentences(text: str) -> list[Sentence]:
    """All sentences of a complete text."""
    return SentenceBuffer().finish(text)
