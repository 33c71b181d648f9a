"""Turn one raw WebSocket message into a validated visitor frame, or say exactly why not."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from shared.widget_protocol import (
    CLIENT_FRAME_ADAPTER,
    CLIENT_FRAME_TYPES,
    MAX_TEXT_CHARS,
    ClientFrame,
    ErrorCode,
)


class FrameTooBig(ValueError):
    """The frame exceeds the size limit; the socket is closed with 1009."""


class FrameError(ValueError):
    """A frame the socket answers with an error frame and otherwise ignores."""

    def __init__(self, code: ErrorCode, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


def parse_frame(raw: str | bytes, max_frame_bytes: int) -> ClientFrame:
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode())
    if size > max_frame_bytes:
        raise FrameTooBig(f"Expected a frame of at most {max_frame_bytes} bytes, got {size}")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FrameError(ErrorCode.BAD_JSON, f"Expected a JSON object, got invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise FrameError(ErrorCode.UNKNOWN_TYPE, f"Expected a JSON object with a 'type', got {type(data).__name__}")
    kind = data.get("type")
    if kind not in CLIENT_FRAME_TYPES:
        raise FrameError(
            ErrorCode.UNKNOWN_TYPE, f"Expected type to be one of {sorted(CLIENT_FRAME_TYPES)}, got {kind!r}"
        )
    ref = _ref(data)
    text = data.get("text")
    if kind == "message.send" and isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
        raise FrameError(
            ErrorCode.TOO_LONG, f"Expected text of at most {MAX_TEXT_CHARS} characters, got {len(text)}", ref
        )
    try:
        return CLIENT_FRAME_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise FrameError(ErrorCode.INVALID_FRAME, f"Invalid {kind} frame: {_short(exc)}", ref) from exc


def _ref(data: dict[str, Any]) -> str | None:
    """The widget's id for the frame, so an error can say which message it is about."""
    for key in ("client_id", "action_id"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value[:64]
    return None


def _short(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"][1:]) or "frame"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
