"""A tiny HTTP server of the test's own: answers with scripted statuses and records each request."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookServer:
    statuses: list[int]  # one per request; the last one repeats
    answer: bytes = b""  # the body of every answer (a receiver's private detail: never to be stored)
    received: list[Received] = field(default_factory=list)
    succeeded: asyncio.Event = field(default_factory=asyncio.Event)
    server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}/hooks/switchboard"

    async def __aenter__(self) -> WebhookServer:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # keep-alive: httpx reuses the connection for the retry
                request_line = await reader.readline()
                if not request_line:
                    return
                _, path, _ = request_line.decode().split(" ", 2)
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.received.append(Received(path, headers, body))
                status = self.statuses[min(len(self.received), len(self.statuses)) - 1]
                reason = b"OK" if status < 400 else b"Error"
                head = b"HTTP/1.1 %d %s\r\ncontent-length: %d\r\n\r\n" % (status, reason, len(self.answer))
                writer.write(head + self.answer)
                await writer.drain()
                if status < 300:
                    self.succeeded.set()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()
