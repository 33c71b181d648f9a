"""Markdown to passages by structure: one per section, long sections in overlapping windows.

The first ``#`` heading names the document (else its id does: ``shipping`` -> "Shipping"); every
other heading starts a section whose passage is titled "Document: Section" (a ``###`` under a
``##``: "Document: Section / Subsection") with the id ``doc#section-slug``. Text before the first
section is the document's own passage (id ``doc``). A section longer than ``max_words`` is cut
at paragraph, else sentence, else word boundaries into windows of at most ``max_words`` that
repeat up to ``overlap`` words of the window before (ids ``doc#section-slug-2``, ``-3``...), so
a fact near a cut is whole in one of them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from shared.events import Source

HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")
MAX_WORDS = 220
OVERLAP = 40


@dataclass(frozen=True)
class Passage:
    id: str
    title: str
    text: str

    def source(self, score: float) -> Source:
        return Source(id=self.id, title=self.title, snippet=self.text, score=round(score, 4))


def slug(text: str) -> str:
    """Lower case, accents dropped ("Envío" -> "envio"), other scripts kept, runs of the rest one "-"."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "-", bare).strip("-")


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs; a list item or table row keeps its own line."""
    paragraphs: list[str] = []
    current = ""
    for raw in [*lines, ""]:
        line = raw.strip()
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
        elif current and re.match(r"^([-*+]\s|\d+[.)]\s|\|)", line):
            current += "\n" + line
        else:
            current = f"{current} {line}" if current else line
    return paragraphs


def _sentences(paragraph: str, max_words: int) -> list[str]:
    """The paragraph's sentences (lines of a list), a sentence longer than ``max_words`` in word runs."""
    out: list[str] = []
    for sentence in SENTENCE_RE.split(paragraph):
        words = sentence.split()
        if len(words) <= max_words:
            out.append(sentence)
        else:
            out.extend(" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words))
    return out


Unit = tuple[str, bool]  # a sentence, and whether it starts a paragraph


def _size(units: list[Unit]) -> int:
    return sum(len(text.split()) for text, _ in units)


def windows(paragraphs: list[str], max_words: int = MAX_WORDS, overlap: int = OVERLAP) -> list[str]:
    """Paragraphs packed into texts of at most ``max_words`` words, cut between paragraphs when
    one fits, else between sentences; each text after the first repeats the last sentences
    (up to ``overlap`` words) of the one before."""
    out: list[str] = []
    current: list[Unit] = []
    fresh = False  # whether ``current`` holds more than the tail carried over

    def cut() -> None:
        nonlocal current, fresh
        out.append(_join(current))
        tail: list[Unit] = []
        for unit in reversed(current):
            if _size(tail) + len(unit[0].split()) > overlap:
                break
            tail.insert(0, unit)
        current, fresh = tail, False

    for paragraph in paragraphs:
        units = [(s, i == 0) for i, s in enumerate(_sentences(paragraph, max_words))]
        if fresh and _size(current) + _size(units) > max_words and _size(units) <= max_words:
            cut()
        for unit in units:
            if fresh and _size(current) + len(unit[0].split()) > max_words:
                cut()
            while current and _size(current) + len(unit[0].split()) > max_words:
                current.pop(0)
            current.append(unit)
            fresh = True
    if fresh:
        out.append(_join(current))
    return out


def _join(units: list[Unit]) -> str:
    text = ""
    for piece, starts in units:
        text += (("\n\n" if starts else " ") + piece) if text else piece
    return text


def chunk(markdown: str, doc_id: str = "document", max_words: int = MAX_WORDS, overlap: int = OVERLAP) -> list[Passage]:
    """The passages of one markdown document, in document order."""
    doc_title = doc_id.replace("-", " ").replace("_", " ").strip().title() or "Document"
    sections: list[tuple[list[str], list[str]]] = [([], [])]  # (heading path, lines)
    path: list[tuple[int, str]] = []
    titled = False
    for line in markdown.splitlines():
        match = HEADING_RE.match(line)
        if match is None:
            sections[-1][1].append(line)
            continue
        level, text = len(match.group(1)), match.group(2).strip()
        if level == 1 and not titled and not path and not any(s.strip() for s in sections[-1][1]):
            doc_title, titled = text, True
            continue
        path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, text)]
        sections.append(([t for _, t in path], []))
    passages: list[Passage] = []
    seen: set[str] = set()
    for headings, lines in sections:
        texts = windows(_paragraphs(lines), max_words, overlap)
        base = f"{doc_id}#{slug(headings[-1])}" if headings else doc_id
        title = f"{doc_title}: {' / '.join(headings)}" if headings else doc_title
        for n, text in enumerate(texts, start=1):
            pid = base if n == 1 else f"{base}-{n}"
            while pid in seen:
                pid += "-x"
            seen.add(pid)
            passages.append(Passage(pid, title, text))
    return passages
