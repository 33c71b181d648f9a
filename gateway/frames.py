"""Turn one raw WebSocket message into a validated visitor frame, or say exactly why not."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from shared.widget_protocol import (
    CLIENT_FRAME_ADAPTER,
    CLIENT_FRAME_TYPES,
    MAX_DEPTH,
    MAX_TEXT_CHARS,
    ClientFrame,
    ErrorCode,
    unstorable,
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
    except RecursionError as exc:
        raise FrameError(ErrorCode.BAD_JSON, f"Expected JSON nested at most {MAX_DEPTH} deep, got deeper") from exc
    if not isinstance(data, dict):
        raise FrameError(ErrorCode.UNKNOWN_TYPE, f"Expected a JSON object with a 'type', got {type(data).__name__}")
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in CLIENT_FRAME_TYPES:
        raise FrameError(
            ErrorCode.UNKNOWN_TYPE,
            f"Expected type to be one of {sorted(CLIENT_FRAME_TYPES)}, got {_shown(kind)}",
        )
    ref = _ref(data)
    _check_values(data, kind, ref)
    text = data.get("text")
    if kind == "message.send" and isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
        raise FrameError(
            ErrorCode.TOO_LONG, f"Expected text of at most {MAX_TEXT_CHARS} characters, got {len(text)}", ref
        )
    try:
        return CLIENT_FRAME_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise FrameError(ErrorCode.INVALID_FRAME, f"Invalid {kind} frame: {_short(exc)}", ref) from exc


def _check_values(data: dict[str, Any], kind: str, ref: str | None) -> None:
    """Refuse nesting deeper than MAX_DEPTH and any string (key or value) the database cannot hold.

    Iterative, so a value nested just under the parser's limit cannot exhaust the stack here.
    """
    pending: list[tuple[Any, int, str]] = [(data, 1, "frame")]
    while pending:
        value, depth, where = pending.pop()
        if isinstance(value, str):
            if (problem := unstorable(value)) is not None:
                raise FrameError(
                    ErrorCode.INVALID_TEXT,
                    f"Expected text without NUL or lone surrogates in {kind} {where}, got {problem}",
                    ref,
                )
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise FrameError(
                ErrorCode.INVALID_FRAME, f"Expected {kind} nested at most {MAX_DEPTH} deep, got deeper at {where}", ref
            )
        if isinstance(value, list):
            pending.extend((item, depth + 1, where) for item in value)
            continue
        for key, item in value.items():
            if (problem := unstorable(key)) is not None:
                raise FrameError(
                    ErrorCode.INVALID_TEXT,
                    f"Expected keys without NUL or lone surrogates in {kind}, got {problem}",
                    ref,
                )
            pending.append((item, depth + 1, key if depth == 1 else where))


def _ref(data: dict[str, Any]) -> str | None:
    """The widget's id for the frame, so an error can say which message it is about.

    Made printable: a lone surrogate would make the error frame itself unserialisable.
    """
    for key in ("client_id", "action_id"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return printable(value[:64])
    return None


def printable(text: str) -> str:
    """``text`` with lone surrogates escaped, so it can always be sent back as UTF-8 JSON."""
    return text.encode("utf-8", "backslashreplace").decode()


def _shown(value: Any) -> str:
    """A short, always-serialisable description of a value the visitor sent."""
    if isinstance(value, str):
        return printable(repr(value[:100]))
    return type(value).__name__ if isinstance(value, dict | list) else printable(repr(value)[:100])


def _short(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"][1:]) or "frame"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
