"""Text the database cannot hold, normalised instead of refused: the visitor already saw it.

Postgres refuses NUL (U+0000) in text and in jsonb, and no UTF-8 column can hold a lone
surrogate (which a JSON ``\\ud800`` escape decodes to). Such an event was acked to the
visitor and streamed, so dead-lettering it would leave a hole in the history the visitor
saw; storing it with each such character replaced by U+FFFD (the Unicode replacement
character, one character for one, so text offsets still line up) keeps the conversation
whole. Both backends store the same thing, so history does not depend on the database.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(value: Any) -> bool:
    """Whether any string in ``value`` (decoded JSON), keys included, holds a NUL or a lone surrogate."""
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(unstorable(k) or unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(unstorable(v) for v in value)
    return False


def clean_text(value: Any) -> Any:
    """``value`` (decoded JSON) with NUL and lone surrogates replaced in every string, keys included."""
    if isinstance(value, str):
        return UNSTORABLE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {clean_text(k): clean_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_text(v) for v in value]
    return value
