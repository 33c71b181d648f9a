"""The protocol module and docs/protocol.md describe the same contract."""

import pytest

from shared.settings import REPO_ROOT
from shared.widget_protocol import (
    CLIENT_FRAME_TYPES,
    MAX_TEXT_CHARS,
    Ack,
    CloseCode,
    Config,
    ErrorCode,
    Heartbeat,
    Hello,
    Pong,
    Resumed,
)

DOC = (REPO_ROOT / "docs" / "protocol.md").read_text()


@pytest.mark.parametrize("kind", sorted(CLIENT_FRAME_TYPES))
def test_every_visitor_frame_is_documented(kind: str) -> None:
    assert f"`{kind}`" in DOC


@pytest.mark.parametrize("model", [Hello, Ack, Resumed, Pong, Heartbeat, Config])
def test_every_server_frame_is_documented(model: type) -> None:
    assert f"`{model.model_fields['type'].default}`" in DOC


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_error_code_is_documented(code: ErrorCode) -> None:
    assert f"`{code.value}`" in DOC


@pytest.mark.parametrize("code", list(CloseCode))
def test_every_close_code_is_documented(code: CloseCode) -> None:
    assert f"| {code.value} " in DOC or f"{code.value} /" in DOC or f"/ {code.value} " in DOC


def test_text_limit_follows_the_user_message_event() -> None:
    assert f"{MAX_TEXT_CHARS} characters" in DOC
