"""Property: whatever text an agent socket receives, parsing gives a frame or a BadFrame/FrameTooBig,
never another exception (the socket code turns those two into an error frame or a close code)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from handoff.agent_frames import (
    FRAME_KINDS,
    AuthFrame,
    BadFrame,
    FrameTooBig,
    Ping,
    PresenceFrame,
    TypingFrame,
    parse_agent_frame,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
kinds = st.sampled_from(FRAME_KINDS) | json_values
frames = st.fixed_dictionaries(
    {"kind": kinds},
    optional={
        "conversation_id": json_values,
        "on": json_values,
        "status": st.sampled_from(["online", "away", "offline"]) | json_values,
        "token": json_values,
    },
)
FRAME_TYPES = (Ping, TypingFrame, PresenceFrame, AuthFrame)


def parses_or_refuses(raw: str) -> None:
    refusal = ""
    try:
        frame: object = parse_agent_frame(raw)
    except (BadFrame, FrameTooBig) as e:
        frame, refusal = None, str(e)
    assert refusal or isinstance(frame, FRAME_TYPES)


@settings(max_examples=300, deadline=None)
@given(frames)
def test_any_object_frame_parses_or_is_refused(frame: dict) -> None:
    parses_or_refuses(json.dumps(frame))


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value_parses_or_is_refused(value: object) -> None:
    parses_or_refuses(json.dumps(value))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_parses_or_is_refused(raw: str) -> None:
    parses_or_refuses(raw)


@given(st.integers(min_value=1, max_value=20_000))
def test_nesting_of_any_depth_is_refused_not_a_crash(depth: int) -> None:
    parses_or_refuses('{"kind": "ping", "x": ' + "[" * depth + "]" * depth + "}")
