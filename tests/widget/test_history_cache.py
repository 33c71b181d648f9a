"""The local cache never loses history: reloads and navigation keep every message once and in order,
a capped cache fetches what it dropped, and a wiped, corrupt or partial cache is rebuilt from the
server (the history API, then the socket's replay). Issue 16 point 1."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlparse

import nats
import nats.js.errors
import pytest
from playwright.async_api import expect

from services.recorder.store import record_event
from shared.db import make_sessionmaker
from shared.db.engine import make_engine
from shared.db.migrate import upgrade_head
from shared.subjects import CONV_STREAM, Channel, conversation_pattern
from tests.widget.conftest import Bot, GatewayServer, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

KEY = "pk_demo_globex"


def globex(cache_max: str | None = None) -> str:
    cap = f' cache-max-events="{cache_max}"' if cache_max else ""
    return (
        f'<div style="height:700px"><switchboard-chat widget-key="{KEY}" reconnect-base-ms="100"'
        f' reconnect-max-ms="800"{cap}></switchboard-chat></div>'
    )


async def turn(page: Any, bot: Bot, i: int) -> None:
    """The visitor asks question i; the bot streams answer i."""
    box = page.locator('switchboard-chat textarea[part~="input"]')
    await box.fill(f"Question {i}")
    await box.press("Enter")
    user = await bot.wait_for("message.user", text=f"Question {i}")
    await bot.reply(f"Answer {i} is here.", chunk=5, reply_to=user["message_id"])
    await expect_transcript(page, i + 1)


async def expect_transcript(page: Any, turns: int) -> None:
    """Every question and answer of ``turns`` turns shown exactly once, in order."""
    widget = page.locator("switchboard-chat")
    rows = widget.locator('[part~="row-visitor"], [part~="row-assistant"]').locator('[part~="content"]')
    expected = [text for i in range(turns) for text in (f"Question {i}", f"Answer {i} is here.")]
    await expect(rows).to_have_text(expected)
    await expect(widget.locator('[part~="row-visitor"].pending')).to_have_count(0)


def cache_key(conv: str, key: str = KEY) -> str:
    return f"switchboard:{key}:conv:{conv}"


async def saved(page: Any, conv: str, key: str = KEY) -> None:
    """Wait until the widget's cache holds everything it has applied."""
    await page.wait_for_function(
        """(k) => { const c = JSON.parse(localStorage.getItem(k) || 'null');
            return c && c.seq === document.querySelector('switchboard-chat').state.lastSeq; }""",
        arg=cache_key(conv, key),
    )


async def route_pages(page: Any, gateway: GatewayServer, html: str, *paths: str) -> list[str]:
    """Serve ``html`` at each path of the gateway's origin; the URLs."""
    urls = [gateway.url + path for path in paths]
    for url in urls:
        await page.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
    return urls


def socket_after_seqs(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("websocket", lambda ws: seen.append(parse_qs(urlparse(ws.url).query)["after_seq"][0]))
    return seen


@pytest.mark.parametrize("cache_max", [None, "5"], ids=["cache-400", "cache-capped-at-5"])
async def test_five_reloads_and_a_navigation_keep_every_message_once(
    page: Any, gateway: GatewayServer, bots: Any, cache_max: str | None
) -> None:
    home, other = await route_pages(page, gateway, host_page(globex(cache_max)), "/__test/home", "/__test/other")
    await page.goto(home)
    conv = await conversation_of(page)
    bot = await bots("globex", conv)
    await turn(page, bot, 0)
    for i in range(1, 6):
        await page.reload()
        assert await conversation_of(page) == conv
        await expect_transcript(page, i)
        await turn(page, bot, i)
    await page.goto(other)
    assert await conversation_of(page) == conv
    await expect_transcript(page, 6)
    await turn(page, bot, 6)
    await page.goto(home)
    assert await conversation_of(page) == conv
    await expect_transcript(page, 7)
    cached = await page.evaluate("(k) => JSON.parse(localStorage.getItem(k))", cache_key(conv))
    seqs = [e["seq"] for e in cached["events"]]
    assert seqs == sorted(set(seqs)), "the cache holds each event once, in order"
    assert len(seqs) <= int(cache_max or 400)


DAMAGE = {
    "wiped": "(k) => localStorage.removeItem(k)",
    "corrupt": '(k) => localStorage.setItem(k, \'{"seq": 12, "events": [{"ty\')',
    # What the widget before the fix left behind: lastSeq kept, only the newest exchange cached.
    "legacy-partial": """(k) => { const c = JSON.parse(localStorage.getItem(k));
        const old = {seq: c.seq, events: c.events.slice(-3), feedback: {}, outbox: []};
        localStorage.setItem(k, JSON.stringify(old)); }""",
    # The newest events lost but lastSeq kept: a gap the resume after lastSeq would never fill.
    "gap": """(k) => { const c = JSON.parse(localStorage.getItem(k));
        c.events = c.events.slice(0, -4); localStorage.setItem(k, JSON.stringify(c)); }""",
    "not-a-list": """(k) => { const c = JSON.parse(localStorage.getItem(k));
        c.events = {length: 2}; localStorage.setItem(k, JSON.stringify(c)); }""",
}


@pytest.mark.parametrize("damage", list(DAMAGE))
async def test_damaged_cache_is_rebuilt_from_the_server(
    page: Any, gateway: GatewayServer, bots: Any, damage: str
) -> None:
    await open_host(page, gateway, host_page(globex()))
    conv = await conversation_of(page)
    bot = await bots("globex", conv)
    for i in range(3):
        await turn(page, bot, i)
    await saved(page, conv)
    await page.evaluate(DAMAGE[damage], cache_key(conv))
    # The page unloads without saving over the damage (as if the tab crashed after it).
    await page.evaluate("() => { Storage.prototype.setItem = () => {}; }")
    await page.reload()
    assert await conversation_of(page) == conv, "the session is kept"
    await expect_transcript(page, 3)
    await turn(page, bot, 3)
    await page.reload()
    assert await conversation_of(page) == conv
    await expect_transcript(page, 4)


async def test_unsent_message_survives_a_damaged_cache_and_lands_after_the_history(
    page: Any, gateway: GatewayServer, bots: Any
) -> None:
    await open_host(page, gateway, host_page(globex()))
    conv = await conversation_of(page)
    bot = await bots("globex", conv)
    for i in range(2):
        await turn(page, bot, i)
    await saved(page, conv)
    # The old format's damage, with a message typed but never acked still in the outbox.
    await page.evaluate(
        """(k) => { const c = JSON.parse(localStorage.getItem(k));
            const frame = {type: 'message.send', client_id: 'c_unsent_question_2', text: 'Question 2'};
            localStorage.setItem(k, JSON.stringify({seq: c.seq, events: c.events.slice(-2),
                outbox: [{frame, tries: 1, at: Date.now()}]}));
            Storage.prototype.setItem = () => {}; }""",
        cache_key(conv),
    )
    await page.reload()
    assert await conversation_of(page) == conv
    user = await bot.wait_for("message.user", text="Question 2")
    assert user["client_id"] == "c_unsent_question_2"
    await bot.reply("Answer 2 is here.", chunk=5, reply_to=user["message_id"])
    await expect_transcript(page, 3)


async def test_history_replayed_for_a_wiped_cache_is_not_announced_again(
    page: Any, gateway: GatewayServer, bots: Any
) -> None:
    await open_host(page, gateway, host_page('<switchboard-chat widget-key="pk_demo_acme"></switchboard-chat>'))
    widget = page.locator("switchboard-chat")
    await widget.locator('[part~="launcher"]').click()
    conv = await conversation_of(page)
    bot = await bots("acme", conv)
    for i in range(2):
        await turn(page, bot, i)
    await widget.locator('[part~="close-button"]').click()  # stays closed across the reload
    await saved(page, conv, "pk_demo_acme")
    await page.evaluate(
        "(k) => { localStorage.removeItem(k); Storage.prototype.setItem = () => {}; }",
        cache_key(conv, "pk_demo_acme"),
    )
    await page.reload()  # the panel is closed: new answers count as unread
    assert await conversation_of(page) == conv
    await expect_transcript(page, 2)
    badge = widget.locator('[part~="badge"]')
    await expect(badge).to_be_hidden()
    await bot.reply("Anything else?")
    await expect(badge).to_have_text("1")


async def stored_events(nc: nats.NATS, conv: str) -> list[tuple[int, dict[str, Any]]]:
    """(seq, event) of the conversation in SB_CONV, in order."""
    js = nc.jetstream()
    pattern = conversation_pattern(Channel.CONV, "globex", conv)
    out: list[tuple[int, dict[str, Any]]] = []
    seq = 0
    while True:
        try:
            raw = await js.get_msg(CONV_STREAM, seq=seq + 1, next=True, subject=pattern)
        except nats.js.errors.NotFoundError:
            return out
        seq = raw.seq or seq + 1
        out.append((seq, json.loads(raw.data or b"{}")))


async def test_history_beyond_the_stream_comes_from_the_history_api(
    page: Any, gateway: GatewayServer, bots: Any, nats_client: nats.NATS
) -> None:
    """The oldest events are only in the database (aged out of JetStream), the newest only in
    JetStream (the recorder is behind): a wiped cache gets both, each once, in order."""
    await open_host(page, gateway, host_page(globex()))
    conv = await conversation_of(page)
    bot = await bots("globex", conv)
    for i in range(4):
        await turn(page, bot, i)
    stored = await stored_events(nats_client, conv)
    recorded, unrecorded = stored[:6], stored[6:]  # turns 0 and 1 recorded (3 durable events each)
    assert unrecorded
    assert [e["type"] for _, e in recorded][-1] == "message.completed"
    url = gateway.settings.database_url
    assert url is not None
    await upgrade_head(url)
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            for seq, payload in recorded:
                await record_event(session, payload, seq, Channel.CONV)
    finally:
        await engine.dispose()
    for seq, _ in recorded:
        await nats_client.jetstream().delete_msg(CONV_STREAM, seq)

    await page.evaluate("(k) => { localStorage.removeItem(k); Storage.prototype.setItem = () => {}; }", cache_key(conv))
    history: list[str] = []
    page.on("request", lambda r: history.append(r.url) if "/events" in r.url else None)
    after = socket_after_seqs(page)
    await page.reload()
    assert await conversation_of(page) == conv
    await expect_transcript(page, 4)
    assert history, "the widget asked the history API"
    assert after == [str(recorded[-1][0])], "the socket replays only what the database did not have"


async def test_visitor_secret_is_kept_and_sent_with_the_visitor_id(page: Any, gateway: GatewayServer) -> None:
    """Issue 16 point 13: the widget keeps the session's visitor_secret and sends it back with visitor_id."""
    sent: list[dict[str, Any]] = []
    secrets = iter(["vs_first_secret", "vs_second_secret", "vs_third_secret"])

    async def session(route: Any) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        response = await route.fetch()
        body = await response.json()
        body["visitor_secret"] = next(secrets)
        await route.fulfill(response=response, json=body)

    await page.route(gateway.url + "/v1/session", session)
    await open_host(page, gateway, host_page(globex()))
    conv = await conversation_of(page)
    stored = await page.evaluate("(k) => JSON.parse(localStorage.getItem(k))", f"switchboard:{KEY}:session")
    assert stored["visitor_secret"] == "vs_first_secret"
    assert "visitor_secret" not in sent[0]

    for expected in ("vs_first_secret", "vs_second_secret"):
        # An expired token: the next load asks /v1/session again, with the visitor's id and secret.
        await page.evaluate(
            """(k) => { const s = JSON.parse(localStorage.getItem(k)); s.expires_at = '2000-01-01T00:00:00Z';
                localStorage.setItem(k, JSON.stringify(s)); }""",
            f"switchboard:{KEY}:session",
        )
        await page.reload()
        assert await conversation_of(page) == conv
        assert sent[-1]["visitor_id"] == stored["visitor_id"]
        assert sent[-1]["visitor_secret"] == expected
