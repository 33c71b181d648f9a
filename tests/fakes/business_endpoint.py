"""A business's action/tool endpoint of the test's own: real HTTP on loopback, answers computed per request."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


# A call -> (status, JSON answer) or None to never answer (a hung endpoint).
Answerer = Callable[[Call], tuple[int, Any] | None]


@dataclass
class BusinessEndpoint:
    answer: Answerer
    calls: list[Call] = field(default_factory=list)
    server: asyncio.Server | None = None
    _hung: list[asyncio.Future[None]] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}/switchboard/actions"

    async def __aenter__(self) -> BusinessEndpoint:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        for hung in self._hung:
            hung.cancel()
        self.server.close()
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                _, path, _ = request_line.decode().split(" ", 2)
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                call = Call(path, headers, body)
                self.calls.append(call)
                answered = self.answer(call)
                if answered is None:
                    hung = asyncio.get_running_loop().create_future()
                    self._hung.append(hung)
                    await hung
                    return
                status, data = answered
                payload = json.dumps(data).encode()
                head = b"HTTP/1.1 %d X\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % (
                    status,
                    len(payload),
                )
                writer.write(head + payload)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            writer.close()
