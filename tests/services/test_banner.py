"""The runner's ready banner says, in development, that the secrets it runs on are public (issue 16.9)."""

from __future__ import annotations

import pytest

from services.runner import announce
from shared.settings import Settings

URLS = {"gateway": ["http://127.0.0.1:8000"], "handoff": ["http://127.0.0.1:8001"]}


def test_development_banner_says_the_secrets_are_public(capsys: pytest.CaptureFixture[str]) -> None:
    announce(URLS, "nats://127.0.0.1:4222", "development")
    out = capsys.readouterr().out
    assert "public demo secrets" in out
    assert "loopback only" in out


@pytest.mark.parametrize("environment", ["production", "test"])
def test_other_environments_have_no_demo_secrets_to_warn_about(
    capsys: pytest.CaptureFixture[str], environment: str
) -> None:
    announce(URLS, "nats://127.0.0.1:4222", environment)
    assert "public demo" not in capsys.readouterr().out


def test_the_banner_names_the_admin_page_and_its_demo_key_in_development(
    capsys: pytest.CaptureFixture[str], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADMIN_API_KEYS", raising=False)
    development = settings.model_copy(update={"environment": "development"})
    announce(URLS, "nats://127.0.0.1:4222", "development", settings=development)
    out = capsys.readouterr().out
    assert "Admin page:     http://127.0.0.1:8001/admin (admin key sb-admin-demo-key-development-only)" in out
    announce(URLS, "nats://127.0.0.1:4222", "test", settings=settings)
    out = capsys.readouterr().out
    assert "Admin page:     http://127.0.0.1:8001/admin\n" in out
    assert "sb-admin-demo-key" not in out


def test_the_handoff_service_is_told_the_port_the_gateway_got(settings: Settings) -> None:
    from services.registry import SERVICES
    from services.runner import Planned, build_children

    planned = [Planned(SERVICES["gateway"], 1), Planned(SERVICES["handoff"], 1)]
    children, urls = build_children(planned, settings, "nats://127.0.0.1:4222")
    [handoff] = [c for c in children if c.spec.name == "handoff"]
    assert handoff.env["GATEWAY_PUBLIC_URL"] == urls["gateway"][0]
    told = settings.model_copy(update={"gateway_public_url": "https://chat.example.com"})
    children, _ = build_children(planned, told, "nats://127.0.0.1:4222")
    [handoff] = [c for c in children if c.spec.name == "handoff"]
    assert handoff.env.get("GATEWAY_PUBLIC_URL") != urls["gateway"][0]
