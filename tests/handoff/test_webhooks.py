from __future__ import annotations

import httpx
import pytest

from handoff.webhooks import SIGNATURE_HEADER, backoff_delays, deliver, notify, sign, verify
from shared.events import HandoffStateChanged
from shared.tenants import HandoffRules, Tenant


def test_signature_round_trip_and_tamper() -> None:
    header = sign("k" * 16, b'{"a":1}', 1_700_000_000)
    assert verify("k" * 16, b'{"a":1}', header, now=1_700_000_010)
    assert not verify("k" * 16, b'{"a":2}', header, now=1_700_000_010)
    assert not verify("x" * 16, b'{"a":1}', header, now=1_700_000_010)
    assert not verify("k" * 16, b'{"a":1}', header, now=1_700_009_999)  # replayed long after
    assert not verify("k" * 16, b'{"a":1}', "garbage")


def test_backoff_doubles_and_caps() -> None:
    assert backoff_delays(5, 0.5) == [0.5, 1.0, 2.0, 4.0]
    assert backoff_delays(4, 40) == [40, 60, 60]
    assert backoff_delays(1, 1) == []


def _client(statuses: list[int], seen: list[httpx.Request]) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(statuses[len(seen) - 1])

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_deliver_retries_until_success() -> None:
    seen: list[httpx.Request] = []
    async with _client([500, 503, 200], seen) as client:
        used = await deliver(client, "http://hook/x", "s" * 16, b"{}", attempts=5, first_backoff_s=0.001, event_id="e1")
    assert used == 3
    assert all(verify("s" * 16, r.content, r.headers[SIGNATURE_HEADER]) for r in seen)
    assert {r.headers["X-Switchboard-Event-Id"] for r in seen} == {"e1"}


async def test_deliver_gives_up_with_the_last_error() -> None:
    seen: list[httpx.Request] = []
    async with _client([500, 500], seen) as client:
        with pytest.raises(httpx.HTTPStatusError, match="answered 500"):
            await deliver(client, "http://hook/x", "s" * 16, b"{}", attempts=2, first_backoff_s=0.001, event_id="e")
    assert len(seen) == 2


async def test_notify_needs_url_and_secret() -> None:
    event = HandoffStateChanged(
        tenant_id="t", conversation_id="c", previous="ai", state="queued", actor="visitor", revision=1
    )
    seen: list[httpx.Request] = []
    async with _client([200], seen) as client:
        plain = Tenant(id="t", name="T", widget_key="k")
        assert not await notify(client, plain, event, 3, 0.001)
        unsigned = plain.model_copy(update={"handoff": HandoffRules(webhook_url="http://hook/x")})
        assert not await notify(client, unsigned, event, 3, 0.001)
        rules = HandoffRules(webhook_url="http://hook/x", webhook_secret="w" * 16)
        assert await notify(client, plain.model_copy(update={"handoff": rules}), event, 3, 0.001)
    assert len(seen) == 1
    assert HandoffStateChanged.model_validate_json(seen[0].content).state == "queued"
