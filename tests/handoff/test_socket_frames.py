"""The agent WebSocket against bad frames: an error frame or a close with a code, never a crash.

A real WebSocket client against the service under uvicorn; after every bad frame that does
not close the socket, a ping still gets its pong.
"""

from __future__ import annotations

import json
import logging

import pytest
import websockets

from tests.handoff.agent_socket import agent_socket
from tests.handoff.conftest import Service, Tenants, token

pytestmark = pytest.mark.connected


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    crashes = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert crashes == [], f"Expected no traceback in the log, got {[r.getMessage() for r in crashes]}"


async def closed_with(ws: websockets.ClientConnection) -> tuple[int | None, str]:
    """The close frame the server sent (frames before it, such as record changes, are skipped)."""
    await ws.wait_closed()
    received = ws.protocol.close_rcvd
    assert received is not None, "Expected a close frame, but the connection just dropped"
    return received.code, received.reason


async def test_binary_login_frame_closes_4401(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    async with websockets.connect(service.ws_url) as ws:
        await ws.send(json.dumps({"kind": "auth", "token": "x"}).encode())
        code, reason = await closed_with(ws)
    assert code == 4401
    assert "text" in reason
    no_tracebacks(caplog)


async def test_binary_frame_later_closes_1003(
    service: Service, tenants: Tenants, caplog: pytest.LogCaptureFixture
) -> None:
    async with websockets.connect(service.ws_url) as ws:
        await ws.send(json.dumps({"kind": "auth", "token": token(tenants.main, "alice")}))
        assert json.loads(await ws.recv())["kind"] == "snapshot"
        await ws.send(b'{"kind": "ping"}')
        code, reason = await closed_with(ws)
    assert code == 1003
    assert "binary" in reason
    no_tracebacks(caplog)


BAD_FRAMES = {
    "invalid JSON": ("{not json", "bad_json"),
    "not an object": ("[1, 2, 3]", "bad_frame"),
    "a number": ("42", "bad_frame"),
    "kind as a list": ('{"kind": ["ping"]}', "bad_frame"),
    "kind as an object": ('{"kind": {"a": 1}}', "bad_frame"),
    "unknown kind": ('{"kind": "dance"}', "bad_frame"),
    "deep nesting": ('{"kind": "ping", "x": ' + "[" * 5000 + "]" * 5000 + "}", "bad_json"),
    "deep nesting, no kind": ("[" * 5000 + "]" * 5000, "bad_json"),
    "conversation id as a list": ('{"kind": "typing", "conversation_id": ["a"]}', "bad_frame"),
    "conversation id not a token": ('{"kind": "typing", "conversation_id": "a.b>"}', "bad_frame"),
    "bad presence": ('{"kind": "presence", "status": "asleep"}', "bad_frame"),
    "lone surrogate": ('{"kind": "typing", "conversation_id": "\\ud800"}', "bad_json"),
}


@pytest.mark.parametrize(("raw", "code"), list(BAD_FRAMES.values()), ids=list(BAD_FRAMES))
async def test_bad_frame_gets_an_error_and_the_socket_keeps_serving(
    service: Service, tenants: Tenants, caplog: pytest.LogCaptureFixture, raw: str, code: str
) -> None:
    async with agent_socket(service.ws_url, token(tenants.main, "alice")) as (console, ws):
        await ws.send(raw)
        error = await console.wait(lambda f: f.get("kind") == "error")
        assert error["code"] == code
        assert error["message"]
        await ws.send('{"kind": "ping"}')
        await console.wait(lambda f: f.get("kind") == "pong")
    no_tracebacks(caplog)


async def test_typing_in_an_unknown_conversation_is_an_error_frame(service: Service, tenants: Tenants) -> None:
    async with agent_socket(service.ws_url, token(tenants.main, "alice")) as (console, ws):
        await ws.send('{"kind": "typing", "conversation_id": "nope"}')
        error = await console.wait(lambda f: f.get("kind") == "error")
        assert error["code"] == "not_assigned"


async def test_huge_frame_closes_1009(service: Service, tenants: Tenants, caplog: pytest.LogCaptureFixture) -> None:
    headers = {"Authorization": f"Bearer {token(tenants.main, 'alice')}"}
    async with websockets.connect(service.ws_url, additional_headers=headers) as ws:
        assert json.loads(await ws.recv())["kind"] == "snapshot"
        await ws.send(json.dumps({"kind": "ping", "pad": "x" * 200_000}))
        code, reason = await closed_with(ws)
    assert code == 1009
    assert "bytes" in reason
    no_tracebacks(caplog)


async def test_huge_login_frame_closes_4401(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    async with websockets.connect(service.ws_url) as ws:
        await ws.send(json.dumps({"kind": "auth", "token": "x" * 200_000}))
        code, _ = await closed_with(ws)
    assert code == 4401
    no_tracebacks(caplog)
