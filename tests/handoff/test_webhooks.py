from __future__ import annotations

import httpx
import pytest
from standardwebhooks import Webhook

from handoff.webhooks import WebhookFailed, backoff_delays, notify
from shared.events import HandoffStateChanged
from shared.tenants import HandoffRules, Tenant
from tests.shared.webhook_fixtures import HOOK_SECRET, resolver  # noqa: F401

EVENT = HandoffStateChanged(
    tenant_id="t", conversation_id="c", previous="ai", state="queued", actor="visitor", revision=1
)


def test_backoff_doubles_and_caps() -> None:
    assert backoff_delays(5, 0.5) == [0.5, 1.0, 2.0, 4.0]
    assert backoff_delays(4, 40) == [40, 60, 60]
    assert backoff_delays(1, 1) == []


def _client(statuses: list[int], seen: list[httpx.Request]) -> httpx.AsyncClient:
    """No network at all: a mock transport answers (the target check still resolves the name, in-process)."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(statuses[len(seen) - 1], content=b"receiver internals")

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def hooked(url: str = "http://hook.test/x", allowed: tuple[str, ...] = ("hook.test",)) -> Tenant:
    rules = HandoffRules(webhook_url=url, webhook_secret=HOOK_SECRET)
    return Tenant(id="t", name="T", widget_key="k", handoff=rules, webhook_allowed_hosts=list(allowed))


async def test_notify_retries_until_success_signed_standard_webhooks(resolver) -> None:  # noqa: F811
    resolver({"hook.test": [["127.0.0.1"]]})
    seen: list[httpx.Request] = []
    async with _client([500, 503, 200], seen) as client:
        assert await notify(client, hooked(), EVENT, 5, 0.001)
    assert len(seen) == 3
    for request in seen:
        assert Webhook(HOOK_SECRET).verify(request.content, dict(request.headers))["state"] == "queued"
        assert request.headers["webhook-id"] == EVENT.id  # the same on every retry: receivers de-duplicate
        assert request.headers["host"] == "hook.test"
        assert request.url.host == "127.0.0.1"  # sent to the address that was checked
    assert [r.headers["x-switchboard-attempt"] for r in seen] == ["1", "2", "3"]


async def test_notify_gives_up_with_status_and_reason_only(resolver) -> None:  # noqa: F811
    resolver({"hook.test": [["127.0.0.1"]]})
    seen: list[httpx.Request] = []
    async with _client([500, 500], seen) as client:
        with pytest.raises(WebhookFailed, match=r"failed 2 times: HTTP 500 Internal Server Error$"):
            await notify(client, hooked(), EVENT, 2, 0.001)
    assert len(seen) == 2


async def test_notify_refuses_a_private_target_without_retrying(resolver) -> None:  # noqa: F811
    resolver({"hook.test": [["10.0.0.5"]]})
    seen: list[httpx.Request] = []
    async with _client([200], seen) as client:
        assert not await notify(client, hooked(allowed=()), EVENT, 5, 0.001)
    assert seen == []


async def test_notify_needs_url_and_secret() -> None:
    seen: list[httpx.Request] = []
    async with _client([200], seen) as client:
        plain = Tenant(id="t", name="T", widget_key="k")
        assert not await notify(client, plain, EVENT, 3, 0.001)
        unsigned = plain.model_copy(update={"handoff": HandoffRules(webhook_url="http://hook.test/x")})
        assert not await notify(client, unsigned, EVENT, 3, 0.001)
    assert seen == []
