"""Property: whatever frame a visitor sends — any of the grammar's frames, mangled, or garbage — it is
answered (ack, error or pong) and the socket keeps serving; nothing logs an error."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.commands import Visitor, to_event
from gateway.frames import FrameError, parse_frame
from shared.widget_protocol import Error, MessageSend, WidgetActionSend
from tests.gateway.conftest import GatewayClient
from tests.gateway.frame_strategies import raw_frames

MAX_FRAME = 16 * 1024
VISITOR = Visitor(tenant_id="acme", conversation_id="c", visitor_id="v")


@settings(max_examples=400, deadline=None)
@given(raw=raw_frames)
def test_parsing_any_frame_gives_a_frame_whose_event_serialises_or_a_sendable_error(raw: str | bytes) -> None:
    try:
        frame = parse_frame(raw, MAX_FRAME * 4)
    except FrameError as exc:
        Error(code=exc.code, message=exc.message, ref=exc.ref).model_dump_json()  # the error itself can be sent
        return
    if isinstance(frame, MessageSend | WidgetActionSend):
        text = to_event(VISITOR, frame).model_dump_json()
        assert "\\u0000" not in text


@pytest.fixture
def error_logs(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """Error records of the gateway and of uvicorn (whose loggers do not propagate to the root)."""
    caplog.set_level(logging.WARNING)
    uvicorn_log = logging.getLogger("uvicorn")
    uvicorn_log.addHandler(caplog.handler)
    yield caplog.records
    uvicorn_log.removeHandler(caplog.handler)


@pytest.fixture
def gateway_settings(gateway_settings):  # type: ignore[no-untyped-def]
    # Fast enough that the frame rate never drops a generated frame: this property is about content.
    return gateway_settings.model_copy(update={"frames_per_second": 10_000.0, "frame_burst": 10_000})


@pytest.mark.connected
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    frames=st.lists(
        raw_frames.filter(lambda r: len(r if isinstance(r, bytes) else r.encode()) <= MAX_FRAME), min_size=1, max_size=4
    )
)
async def test_the_socket_answers_every_frame_and_stays_open(
    gateway: GatewayClient, error_logs: list[logging.LogRecord], frames: list[str | bytes]
) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"]) as ws:
        await ws.recv_until("hello")
        for raw in frames:
            try:
                expected = parse_frame(raw, MAX_FRAME)
            except FrameError as exc:
                expected = exc
            await ws.send(raw)
            await ws.send({"type": "ping"})
            answers = []
            while (frame := await ws.recv())["type"] != "pong":
                answers.append(frame)
            kinds = [f["type"] for f in answers if f["type"] in ("ack", "error", "pong")]
            if isinstance(expected, FrameError):
                assert kinds == ["error"], (raw, answers)
                assert answers[0]["code"] == expected.code
            elif isinstance(expected, MessageSend | WidgetActionSend):
                assert kinds in (["ack"], ["error"]), (raw, answers)
            elif expected.type == "ping":
                assert (await ws.recv())["type"] == "pong"  # its own pong came first; this is ours
    assert ws.ws.close_code is None or ws.ws.close_code == 1000
    assert [r.getMessage() for r in error_logs if r.levelno >= logging.ERROR] == []


def test_strategies_reach_the_cases_that_crashed_sockets() -> None:
    """The generator does produce the frames issue 16 found (type as list, deep nesting, NUL, surrogates)."""
    seen: set[str] = set()

    @settings(max_examples=1500, deadline=None)
    @given(raw=raw_frames)
    def classify(raw: str | bytes) -> None:
        try:
            parse_frame(raw, MAX_FRAME * 4)
        except FrameError as exc:
            seen.add(exc.code)
        text = raw if isinstance(raw, str) else ""
        if text.startswith("{"):
            try:
                data = json.loads(text)
            except (ValueError, RecursionError):
                return
            if isinstance(data, dict) and isinstance(data.get("type"), list | dict):
                seen.add("type-container")

    classify()
    assert {"bad_json", "unknown_type", "invalid_frame", "invalid_text", "type-container"} <= seen
