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
# How such a character can reach json.loads in the raw bytes of an event: as a JSON escape
# (\u0000, \ud800-\udfff, any case), a NUL byte (not valid JSON, or UTF-16/32 text), or a
# surrogate in CESU-8 (json.loads decodes bytes with "surrogatepass"). Bytes without any of
# them decode to strings that are all storable: the per-string scan is skipped.
MAYBE_UNSTORABLE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|\x00|\xed[\xa0-\xbf]")


def may_hold_unstorable(raw: bytes) -> bool:
    """False when the JSON in ``raw`` certainly decodes to storable text (a valid surrogate pair may say True)."""
    return MAYBE_UNSTORABLE.search(raw) is not None


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
