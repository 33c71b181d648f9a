"""The raw-bytes prefilter never waves through an event whose decoded text the database cannot hold."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from services.recorder.clean import may_hold_unstorable, unstorable

# Any code point, lone surrogates and NUL included (text() leaves surrogates out by default).
ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=12)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)


def encodings(value: object) -> list[bytes]:
    """The ways a publisher may put ``value`` on the bus: escaped, raw UTF-8 (CESU-8 for surrogates), UTF-16."""
    raw = json.dumps(value, ensure_ascii=False)
    return [
        json.dumps(value).encode(),
        raw.encode("utf-8", "surrogatepass"),
        raw.encode("utf-16", "surrogatepass"),
    ]


@given(JSON)
def test_the_prefilter_flags_every_encoding_of_unstorable_text(value: object) -> None:
    for raw in encodings(value):
        decoded = json.loads(raw)
        assert decoded == value or value != value  # the bytes hold the value
        if unstorable(decoded):
            assert may_hold_unstorable(raw), raw


def test_the_prefilter_passes_ordinary_events_and_flags_escapes_in_any_case() -> None:
    ordinary = {"type": "message.completed", "text": "Café 🙂 naïve — 10%", "sources": [{"title": "FAQ"}]}
    assert not may_hold_unstorable(json.dumps(ordinary, ensure_ascii=False).encode())
    for escape in (b"\\u0000", b"\\uD800", b"\\udfff", b"\\uDc00"):
        assert may_hold_unstorable(b'{"text": "a' + escape + b'"}')
        assert unstorable(json.loads(b'{"text": "a' + escape + b'"}'))
