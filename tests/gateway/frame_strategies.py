"""Hypothesis strategies over the widget's client frame grammar (shared/widget_protocol.py), valid and mangled."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from shared.widget_protocol import CLIENT_FRAME_TYPES, ID_PATTERN

# Every code point, lone surrogates and NUL included: what JSON escapes can carry.
any_char = st.characters(exclude_categories=())
any_text = st.text(any_char, max_size=40)
ids = st.one_of(st.from_regex(ID_PATTERN, fullmatch=True), any_text)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(), any_text
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3), max_leaves=12
)


@st.composite
def deep(draw: st.DrawFn) -> Any:
    """A value nested 1-600 levels deep: past MAX_DEPTH, and past what serialisers recurse through."""
    value: Any = draw(scalars)
    for _ in range(draw(st.integers(1, 600))):
        value = [value] if draw(st.booleans()) else {"k": value}
    return value


values = st.one_of(json_values, deep())

valid_frames = st.one_of(
    st.fixed_dictionaries({"type": st.just("message.send"), "client_id": ids, "text": any_text}),
    st.fixed_dictionaries(
        {"type": st.just("widget.action"), "action_id": ids, "name": any_text},
        optional={"value": values, "component_id": st.none() | any_text},
    ),
    st.fixed_dictionaries({"type": st.just("typing")}, optional={"on": st.booleans()}),
    st.fixed_dictionaries({"type": st.just("handoff.ask")}, optional={"reason": any_text}),
    st.fixed_dictionaries(
        {"type": st.just("feedback"), "message_id": ids, "rating": st.sampled_from(["up", "down"])},
        optional={"comment": st.none() | any_text},
    ),
    st.fixed_dictionaries({"type": st.just("resume"), "after_seq": st.integers(0, 3)}),
    st.fixed_dictionaries({"type": st.just("ping")}),
)


@st.composite
def mangled(draw: st.DrawFn) -> dict[str, Any]:
    """A grammar frame with fields replaced by any JSON value, removed, or added; ``type`` included."""
    frame = dict(draw(valid_frames))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["replace", "drop", "add", "type"]))
        if action == "replace" and frame:
            frame[draw(st.sampled_from(sorted(frame)))] = draw(values)
        elif action == "drop" and frame:
            frame.pop(draw(st.sampled_from(sorted(frame))))
        elif action == "add":
            frame[draw(any_text)] = draw(values)
        else:
            frame["type"] = draw(st.one_of(st.sampled_from(sorted(CLIENT_FRAME_TYPES)), values))
    return frame


def encoded(frame: Any) -> str:
    # ensure_ascii escapes lone surrogates as \udxxx, the way a browser's JSON.stringify does.
    return json.dumps(frame)


raw_frames = st.one_of(
    valid_frames.map(encoded),
    mangled().map(encoded),
    values.map(encoded),
    st.integers(1, 8000).map(lambda n: "[" * n + "]" * n),
    st.text(max_size=60),
    st.binary(max_size=60),
)
