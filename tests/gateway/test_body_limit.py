"""Every HTTP endpoint refuses a body over MAX_BODY_BYTES with 413, without reading (buffering) all of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.app import create_app
from shared.settings import Settings
from tests.gateway.conftest import WIDGET_KEY, serving

pytestmark = pytest.mark.connected

LIMIT = 64 * 1024
CHUNK = 64 * 1024


class BodySpy:
    """Wraps the app and counts the body bytes the app pulled from the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pulled = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counting() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.pulled += len(message.get("body", b""))
            return message

        await self.app(scope, counting, send)


@pytest.fixture
async def spied(gateway_settings: Settings) -> AsyncIterator[tuple[BodySpy, str, int]]:
    spy = BodySpy(create_app(gateway_settings.model_copy(update={"max_body_bytes": LIMIT})))
    async with serving(spy) as base_url:
        host, port = base_url.removeprefix("http://").split(":")
        yield spy, host, int(port)


async def _post(host: str, port: int, path: str, headers: dict[str, str], body_chunks: list[bytes]) -> bytes:
    """Send a request over a raw socket (so the body can be chunked or shorter than announced); the response."""
    reader, writer = await asyncio.open_connection(host, port)
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    writer.write(head.encode())
    for chunk in body_chunks:
        writer.write(chunk)
        await writer.drain()
    response = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    writer.close()
    return response


def _chunked(payload: bytes) -> bytes:
    return f"{len(payload):x}\r\n".encode() + payload + b"\r\n"


async def test_a_streamed_body_over_the_limit_is_413_and_never_read_whole(spied: tuple[BodySpy, str, int]) -> None:
    spy, host, port = spied
    start = f'{{"widget_key": "{WIDGET_KEY}", "user_id": "'.encode()
    chunks = [_chunked(start)] + [_chunked(b"x" * CHUNK) for _ in range(16)]  # 1 MiB, no Content-Length
    response = await _post(host, port, "/v1/session", {"Transfer-Encoding": "chunked"}, chunks)
    assert response.startswith(b"HTTP/1.1 413"), response
    assert 0 < spy.pulled <= LIMIT + CHUNK + len(start)  # stopped at the limit, not after 1 MiB


@pytest.mark.parametrize("path", ["/v1/session", "/v1/conversations/c1/events", "/healthz"])
async def test_a_content_length_over_the_limit_is_413_before_reading(
    spied: tuple[BodySpy, str, int], path: str
) -> None:
    spy, host, port = spied
    # Announces 100 MiB and sends only a little: the answer comes without waiting for the rest.
    response = await _post(host, port, path, {"Content-Length": str(100 * 2**20)}, [b"{" * 1024])
    assert response.startswith(b"HTTP/1.1 413"), response
    assert spy.pulled == 0


async def test_a_body_within_the_limit_is_served(spied: tuple[BodySpy, str, int]) -> None:
    spy, host, port = spied
    body = f'{{"widget_key": "{WIDGET_KEY}"}}'.encode()
    response = await _post(host, port, "/v1/session", {"Content-Length": str(len(body))}, [body])
    assert response.startswith(b"HTTP/1.1 200"), response
    assert spy.pulled == len(body)
