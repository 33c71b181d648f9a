import json

import pytest

from gateway.frames import FrameError, FrameTooBig, parse_frame
from shared.widget_protocol import MAX_TEXT_CHARS, ErrorCode, MessageSend, PingSend, ResumeSend, WidgetActionSend


def _error(raw: str | bytes) -> FrameError:
    with pytest.raises(FrameError) as info:
        parse_frame(raw, 16 * 1024)
    return info.value


def test_valid_frames_parse_to_their_models() -> None:
    frame = parse_frame(json.dumps({"type": "message.send", "client_id": "c-1", "text": "hi"}), 1024)
    assert frame == MessageSend(client_id="c-1", text="hi")
    assert parse_frame(b'{"type": "ping", "extra": 1}', 1024) == PingSend()
    assert parse_frame('{"type": "resume", "after_seq": 7}', 1024) == ResumeSend(after_seq=7)
    action = parse_frame('{"type": "widget.action", "action_id": "a1", "name": "buy", "value": {"n": 2}}', 1024)
    assert isinstance(action, WidgetActionSend)
    assert action.value == {"n": 2}


@pytest.mark.parametrize("raw", ["{nope", "", b"\xff\xfe", "{'type': 'ping'}"])
def test_invalid_json_is_bad_json(raw: str | bytes) -> None:
    assert _error(raw).code is ErrorCode.BAD_JSON


@pytest.mark.parametrize("raw", ["[1, 2]", '"ping"', "42", '{"type": "launch.missiles"}', '{"text": "no type"}'])
def test_non_objects_and_unknown_types_are_unknown_type(raw: str) -> None:
    assert _error(raw).code is ErrorCode.UNKNOWN_TYPE


def test_schema_failures_are_invalid_frame_with_detail_and_ref() -> None:
    error = _error(json.dumps({"type": "message.send", "client_id": "c9", "text": ""}))
    assert error.code is ErrorCode.INVALID_FRAME
    assert "text" in error.message
    assert error.ref == "c9"
    assert _error('{"type": "feedback", "message_id": "m", "rating": "meh"}').code is ErrorCode.INVALID_FRAME
    assert _error('{"type": "resume", "after_seq": -1}').code is ErrorCode.INVALID_FRAME
    assert _error('{"type": "message.send", "client_id": "has space", "text": "x"}').code is ErrorCode.INVALID_FRAME


def test_text_over_the_limit_is_too_long_and_names_the_client_id() -> None:
    error = _error(json.dumps({"type": "message.send", "client_id": "long1", "text": "x" * (MAX_TEXT_CHARS + 1)}))
    assert error.code is ErrorCode.TOO_LONG
    assert error.ref == "long1"
    assert str(MAX_TEXT_CHARS) in error.message


def test_frames_over_the_byte_limit_are_too_big() -> None:
    # Counted in bytes, not characters: 300 three-byte characters exceed 512 bytes.
    with pytest.raises(FrameTooBig, match="at most 512 bytes"):
        parse_frame(json.dumps({"type": "message.send", "client_id": "c", "text": "€" * 300}, ensure_ascii=False), 512)
