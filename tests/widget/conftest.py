"""Widget browser fixtures: a real nats-server, the real gateway app under uvicorn (restartable on
the same port), headless Chromium through Playwright, and a scripted stand-in for the
orchestrator that publishes events onto the bus the way services do.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import nats
import pytest
import uvicorn
from faststream.nats import NatsBroker

from gateway.app import create_app
from services.nats_embedded import free_port
from shared.bus import emit, ensure_streams, make_broker
from shared.events import MessageCompleted, MessageCreated, MessageDelta, Typing, new_id
from shared.events.base import Event
from shared.events.messages import Author
from shared.settings import REPO_ROOT, Settings
from shared.subjects import Channel, conversation_pattern, stream_state_subject
from tests.browser import chromium, requires_chromium
from tests.e2e.tenants import demo_tenants_with

ARTIFACTS = REPO_ROOT / "test-artifacts" / "widget"
DEMO_TENANTS = REPO_ROOT / "deploy" / "demo" / "tenants.yaml"


class GatewayServer:
    """The gateway app under uvicorn in this event loop; stop() and start() keep the port."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        config = uvicorn.Config(
            create_app(self.settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)  # uvicorn exposes only a flag to poll, no event

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        await asyncio.wait_for(self._task, 15)
        self._server = self._task = None


@pytest.fixture(scope="session")
def quiet_demo_tenants(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo tenants without their welcome message: these tests count the rows they make.

    test_demo_flow runs the demo tenants as shipped, welcome included.
    """
    return demo_tenants_with(tmp_path_factory.mktemp("quiet-tenants"), acme={"welcome": None}, globex={"welcome": None})


@pytest.fixture
def welcome_on() -> bool:
    return False


@pytest.fixture
async def gateway(
    connected_settings: Settings, quiet_demo_tenants: Path, welcome_on: bool
) -> AsyncIterator[GatewayServer]:
    tenants = DEMO_TENANTS if welcome_on else quiet_demo_tenants
    settings = connected_settings.model_copy(update={"tenants_file": tenants, "heartbeat_s": 20.0})
    server = GatewayServer(settings)
    await server.start()
    yield server
    await server.stop()


class Bot:
    """Plays the orchestrator (and any other service) for one conversation, and records what the
    gateway published for it: visitor messages, widget actions, feedback, handoff requests."""

    def __init__(self, broker: NatsBroker, nc: nats.NATS, tenant_id: str, conversation_id: str) -> None:
        self.broker = broker
        self.nc = nc
        self.tenant_id = tenant_id
        self.conversation_id = conversation_id
        self.seen: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()
        self._subs: list[Any] = []
        self.streaming: dict[str, str] = {}  # message_id -> text so far, answered on stream_state

    async def start(self) -> Bot:
        for channel in (Channel.PUSH, Channel.OPS):
            pattern = conversation_pattern(channel, self.tenant_id, self.conversation_id)
            self._subs.append(await self.nc.subscribe(pattern, cb=self._record))
        state = stream_state_subject(self.tenant_id, self.conversation_id)
        self._subs.append(await self.nc.subscribe(state, cb=self._stream_state))
        await self.nc.flush()
        return self

    async def stop(self) -> None:
        for sub in self._subs:
            await sub.unsubscribe()

    async def _record(self, msg: Any) -> None:
        try:
            data = json.loads(msg.data)
        except ValueError:
            return
        async with self._changed:
            self.seen.append(data)
            self._changed.notify_all()

    async def _stream_state(self, msg: Any) -> None:
        message_id = json.loads(msg.data).get("message_id")
        if message_id in self.streaming:
            body = {"message_id": message_id, "text": self.streaming[message_id], "done": False}
            await msg.respond(json.dumps(body).encode())

    async def wait_for(self, kind: str, timeout: float = 15, **match: Any) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next(
                (e for e in self.seen if e.get("type") == kind and all(e.get(k) == v for k, v in match.items())),
                None,
            )

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(found), timeout)
            event = found()
            assert event is not None
            return event

    def _base(self) -> dict[str, str]:
        return {"tenant_id": self.tenant_id, "conversation_id": self.conversation_id}

    async def emit(self, event_cls: type[Event], **fields: Any) -> Event:
        event = event_cls(**self._base(), **fields)
        await emit(self.broker, event)
        return event

    async def emit_typing(self, who: str = "assistant", name: str | None = None, on: bool = True) -> None:
        await self.emit(Typing, who=who, name=name, on=on)

    async def start_reply(self, reply_to: str | None = None, author: str = "Ada", role: str = "assistant") -> str:
        message_id = new_id()
        self.streaming[message_id] = ""
        await self.emit(MessageCreated, message_id=message_id, role=role, author=Author(name=author), reply_to=reply_to)
        return message_id

    async def delta(self, message_id: str, text: str) -> None:
        offset = len(self.streaming[message_id])
        self.streaming[message_id] += text
        await self.emit(MessageDelta, message_id=message_id, offset=offset, text=text)

    async def complete(self, message_id: str, author: str = "Ada", role: str = "assistant", **fields: Any) -> None:
        text = self.streaming.pop(message_id)
        await self.emit(
            MessageCompleted, message_id=message_id, role=role, text=text, author=Author(name=author), **fields
        )

    async def reply(self, text: str, chunk: int = 12, **fields: Any) -> str:
        """A whole streamed reply: created, deltas of ``chunk`` characters, completed."""
        message_id = await self.start_reply(reply_to=fields.pop("reply_to", None))
        for i in range(0, len(text), chunk):
            await self.delta(message_id, text[i : i + chunk])
        await self.complete(message_id, **fields)
        return message_id


@pytest.fixture
async def broker(connected_settings: Settings) -> AsyncIterator[NatsBroker]:
    broker = make_broker(connected_settings)
    await broker.connect()
    await ensure_streams(broker.config.connection_state.stream)
    yield broker
    await broker.stop()


@pytest.fixture
async def bots(broker: NatsBroker, nats_client: nats.NATS) -> AsyncIterator[Callable[..., Any]]:
    """``await bots(tenant_id, conversation_id)`` -> a started Bot; all stopped at teardown."""
    started: list[Bot] = []

    async def make(tenant_id: str, conversation_id: str) -> Bot:
        bot = await Bot(broker, nats_client, tenant_id, conversation_id).start()
        started.append(bot)
        return bot

    yield make
    for bot in started:
        await bot.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def context(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    await context.close()


@pytest.fixture
async def page(context: Any) -> AsyncIterator[Any]:
    """A page that fails the test on any uncaught script error (ours or a hostile payload's)."""
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: print(f"console.{msg.type}: {msg.text}"))
    page.errors = errors
    yield page
    assert errors == [], f"Expected no script errors in the page, got {errors}"


def host_page(*widgets: str, head: str = "", body: str = "") -> str:
    """A host page with the given <switchboard-chat> tags and the gateway's script."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title>{head}</head>
<body>{body}{"".join(widgets)}<script src="/widget.js"></script></body></html>"""


async def open_host(page: Any, gateway: GatewayServer, html: str, path: str = "/__test/host") -> None:
    """Serve ``html`` at ``path`` on the gateway's origin (so /widget.js and the API are same-origin)."""
    url = gateway.url + path

    async def fulfil(route: Any) -> None:
        await route.fulfill(body=html, content_type="text/html")

    await page.route(url, fulfil)
    await page.goto(url)


async def conversation_of(page: Any, selector: str = "switchboard-chat") -> str:
    """The conversation id once the widget has its session and its socket said hello."""
    handle = await page.wait_for_function(
        """(sel) => { const el = document.querySelector(sel);
            return el && el.state.status === 'online' && el.state.conversationId; }""",
        arg=selector,
    )
    return await handle.json_value()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


__all__ = ("Bot", "GatewayServer", "artifact", "conversation_of", "host_page", "open_host", "requires_chromium")
