"""Frames an agent console sends on its WebSocket: parsed and validated, or a precise reason why not.

Parsing goes through pydantic's JSON parser, which has its own nesting limit (deep nesting is
a validation error, not a RecursionError) and refuses lone surrogates.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from handoff.records import PresenceStatus
from shared.subjects import TOKEN_RE

MAX_FRAME_BYTES = 16 * 1024
FRAME_KINDS = ("ping", "typing", "presence", "auth")


class FrameTooBig(ValueError):
    """Bigger than MAX_FRAME_BYTES: the socket is closed (1009, or 4401 for a login frame)."""


class BadFrame(ValueError):
    """Answered with an error frame; the socket keeps serving."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Frame(BaseModel):
    model_config = ConfigDict(extra="ignore")  # a newer console may send more


class Ping(_Frame):
    kind: Literal["ping"]


class TypingFrame(_Frame):
    kind: Literal["typing"]
    conversation_id: str = Field(pattern=TOKEN_RE.pattern)
    on: bool = True


class PresenceFrame(_Frame):
    kind: Literal["presence"]
    status: PresenceStatus


class AuthFrame(_Frame):
    kind: Literal["auth"]
    token: str = Field(max_length=4096)


AgentFrame = Annotated[Ping | TypingFrame | PresenceFrame | AuthFrame, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[AgentFrame] = TypeAdapter(AgentFrame)
_KIND_ONLY: TypeAdapter[dict[str, object]] = TypeAdapter(dict[str, object])


def parse_agent_frame(raw: str, max_bytes: int = MAX_FRAME_BYTES) -> Ping | TypingFrame | PresenceFrame | AuthFrame:
    size = len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise FrameTooBig(f"Expected a frame of at most {max_bytes} bytes, got {size}")
    try:
        data = _KIND_ONLY.validate_json(raw)
    except ValidationError as e:
        if e.errors()[0]["type"] == "json_invalid":
            raise BadFrame("bad_json", f"Expected a JSON object, got invalid JSON: {_short(e)}") from None
        raise BadFrame("bad_frame", "Expected a JSON object with a 'kind'") from None
    kind = data.get("kind")
    if kind not in FRAME_KINDS:
        shown = kind if isinstance(kind, str) else type(kind).__name__
        raise BadFrame("bad_frame", f"Expected kind to be one of {list(FRAME_KINDS)}, got {shown!r}"[:200])
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as e:
        raise BadFrame("bad_frame", f"Invalid {kind} frame: {_short(e)}") from None


def _short(e: ValidationError) -> str:
    parts = []
    for err in e.errors(include_input=False, include_url=False)[:3]:
        where = ".".join(str(p) for p in err["loc"][1:]) or "frame"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)[:300]
