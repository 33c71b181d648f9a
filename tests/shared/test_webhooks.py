"""The one webhook signer (Standard Webhooks) and the target checks: names resolved in-process only."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from shared.webhooks.delivery import post_signed
from shared.webhooks.signing import check_secret, signed_headers
from shared.webhooks.targets import RefusedTarget, pin, refusal
from tests.orchestrator_workers.webhook_server import WebhookServer
from tests.shared.webhook_fixtures import HOOK_SECRET, resolver  # noqa: F401

# An address from a public range, only ever handed to pin() (which resolves and checks, never connects).
PUBLIC = "93.184.215.14"


def test_a_receiver_verifies_the_signature_with_standardwebhooks() -> None:
    body = b'{"state":"queued"}'
    headers = signed_headers(HOOK_SECRET, "evt_1", body)
    assert Webhook(HOOK_SECRET).verify(body, headers) == {"state": "queued"}
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(HOOK_SECRET).verify(b'{"state":"resolved"}', headers)  # tampered body
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(HOOK_SECRET).verify(body, {**headers, "webhook-id": "evt_2"})  # another event's id


def test_a_replayed_or_old_timestamp_is_rejected() -> None:
    body = b"{}"
    old = signed_headers(HOOK_SECRET, "evt_1", body, now=datetime.now(UTC) - timedelta(minutes=10))
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(HOOK_SECRET).verify(body, old)
    fresh = signed_headers(HOOK_SECRET, "evt_1", body)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):  # a re-stamped replay
        Webhook(HOOK_SECRET).verify(body, {**old, "webhook-timestamp": fresh["webhook-timestamp"]})


@pytest.mark.parametrize(
    ("secret", "problem"),
    [("s3cret-but-no-prefix-0123456789", "starting with 'whsec_'"), ("whsec_c2hvcnQ=", "at least 24 bytes"),
     ("whsec_not base64!", "Expected base64")],
)  # fmt: skip
def test_secrets_are_standard_webhooks_secrets(secret: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_secret(secret)
    assert check_secret(HOOK_SECRET) == HOOK_SECRET


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"), ("::1", "a loopback address"), ("10.0.0.5", "a private address"),
        ("192.168.1.20", "a private address"), ("172.16.3.4", "a private address"),
        ("169.254.169.254", "a cloud metadata address"), ("fd00:ec2::254", "a cloud metadata address"),
        ("169.254.10.1", "a link-local address"), ("fe80::1", "a link-local address"),
        ("224.0.0.251", "a multicast address"), ("ff02::1", "a multicast address"), ("0.0.0.0", "a private address"),
        ("::ffff:10.0.0.5", "a private address"), ("100.64.0.1", "not a public address"),
        ("240.0.0.1", "a private address"), (PUBLIC, None),
    ],
)  # fmt: skip
def test_only_public_addresses_are_targets(address: str, reason: str | None) -> None:
    assert refusal(address) == reason


async def test_a_name_resolving_to_a_private_address_is_refused(resolver) -> None:  # noqa: F811
    resolver({"hooks.example.test": [["10.0.0.5"]]})
    with pytest.raises(RefusedTarget, match=r"hooks\.example\.test resolves to 10\.0\.0\.5, a private address"):
        await pin("https://hooks.example.test/h")


async def test_every_resolved_address_is_checked(resolver) -> None:  # noqa: F811
    resolver({"hooks.example.test": [[PUBLIC, "fd00:ec2::254"]]})
    with pytest.raises(RefusedTarget, match="fd00:ec2::254, a cloud metadata address"):
        await pin("https://hooks.example.test/h")


async def test_metadata_names_and_addresses_are_refused_even_when_allowed(resolver) -> None:  # noqa: F811
    lookups = resolver({"metadata.google.internal": [["169.254.169.254"]], "meta.test": [["169.254.169.254"]]})
    with pytest.raises(RefusedTarget, match="cloud metadata host"):
        await pin("http://metadata.google.internal/computeMetadata/v1/", ["metadata.google.internal"])
    assert lookups.lookups == []  # refused by name, before any lookup
    with pytest.raises(RefusedTarget, match=r"169\.254\.169\.254, a cloud metadata address"):
        await pin("http://meta.test/", ["meta.test"])


async def test_the_request_is_pinned_to_the_checked_address(resolver) -> None:  # noqa: F811
    resolver({"hooks.example.test": [[PUBLIC]]})
    pinned = await pin("https://hooks.example.test:8443/h?x=1")
    assert str(pinned.url) == f"https://{PUBLIC}:8443/h?x=1"
    assert pinned.headers == {"Host": "hooks.example.test:8443"}
    assert pinned.extensions == {"sni_hostname": "hooks.example.test"}


@pytest.mark.parametrize("url", ["ftp://hooks.example.test/", "/relative", "http://user:pw@hooks.example.test/"])
async def test_only_absolute_http_urls_are_targets(url: str) -> None:
    with pytest.raises(RefusedTarget, match="Expected"):
        await pin(url)


async def test_delivery_connects_to_the_checked_address_and_keeps_only_status_and_reason(
    resolver,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    """DNS rebinding: the name answers loopback (allowed) once, then a metadata address; only the first is used."""
    caplog.set_level(logging.DEBUG)
    async with WebhookServer(statuses=[500, 204], answer=b"stack trace with db-password=hunter2") as hook:
        port = hook.url.split(":")[2].split("/")[0]
        lookups = resolver({"receiver.test": [["127.0.0.1"], ["169.254.169.254"]]})
        url = f"http://receiver.test:{port}/hooks/switchboard"
        async with httpx.AsyncClient() as http:
            first = await post_signed(
                http, url=url, secret=HOOK_SECRET, msg_id="evt_9", webhook_type="test.event", body=b'{"n":1}',
                attempt=1, allowed_hosts=["receiver.test"],
            )  # fmt: skip
            second = await post_signed(
                http, url=url, secret=HOOK_SECRET, msg_id="evt_9", webhook_type="test.event", body=b'{"n":1}',
                attempt=2, allowed_hosts=["receiver.test"],
            )  # fmt: skip
    assert (first.ok, first.status_code, first.error) == (False, 500, "HTTP 500 Internal Server Error")
    assert second.refused
    assert second.error is not None
    assert "169.254.169.254, a cloud metadata address" in second.error
    assert lookups.lookups == ["receiver.test", "receiver.test"]  # resolved once per attempt, by us
    assert len(hook.received) == 1  # the rebound answer was never connected to
    request = hook.received[0]
    assert request.headers["host"] == f"receiver.test:{port}"
    assert Webhook(HOOK_SECRET).verify(request.body, request.headers) == json.loads(request.body)
    assert (request.headers["x-switchboard-event"], request.headers["x-switchboard-attempt"]) == ("test.event", "1")
    assert "hunter2" not in caplog.text


async def test_a_loopback_target_without_the_allow_list_is_never_called(resolver) -> None:  # noqa: F811
    lookups = resolver({})
    async with WebhookServer(statuses=[204]) as hook, httpx.AsyncClient() as http:
        result = await post_signed(
            http, url=hook.url, secret=HOOK_SECRET, msg_id="evt_1", webhook_type="test.event", body=b"{}", attempt=1
        )
    assert result.refused
    assert result.error is not None
    assert result.error.startswith("refused: 127.0.0.1, a loopback address;")
    assert hook.received == []
    assert lookups.lookups == []  # an address literal needs no lookup
