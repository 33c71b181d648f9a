"""Which of the retrieved sources a reply used: the numbered references shown under it.

Retrieval hands the model several passages; a reply usually rests on one or two. The widget lists
only those (message.completed ``citations``), never the rest, and the reply's text does not name
them (no "(Source: ...)"): the references are the one place sources appear.
"""

from __future__ import annotations

import re

from shared.events import Source

# "[2]": the model was given the sources numbered (providers/openai_provider.py sources_block).
MARKER = re.compile(r"\[(\d{1,2})\]")
WORD = re.compile(r"\w{4,}")
# Without markers, a source counts as used when this share of the reply's words (4+ letters) are in
# it, and at least MIN_SHARED of them: a quote or close paraphrase, not a word or two in common.
MIN_SHARE = 0.3
MIN_SHARED = 3


def _words(text: str) -> set[str]:
    return set(WORD.findall(text.lower()))


def cited(text: str, sources: list[Source], declared: list[str] | None = None) -> list[str]:
    """Ids of the ``sources`` the reply ``text`` used, in the order it used them, each once.

    ``declared``: what the provider said it quoted (kept if retrieved). Else the ``[n]`` markers the
    text carries. Else every source sharing enough of the reply's words.
    """
    known = {s.id for s in sources}
    if declared is not None:
        return list(dict.fromkeys(i for i in declared if i in known))
    numbered = [int(n) for n in MARKER.findall(text)]
    if any(1 <= n <= len(sources) for n in numbered):
        return list(dict.fromkeys(sources[n - 1].id for n in numbered if 1 <= n <= len(sources)))
    words = _words(text)
    if not words:
        return []
    used = []
    for source in sources:
        shared = len(words & _words(source.snippet))
        if shared >= MIN_SHARED and shared >= MIN_SHARE * len(words):
            used.append(source.id)
    return used
