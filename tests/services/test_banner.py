"""The runner's ready banner says, in development, that the secrets it runs on are public (issue 16.9)."""

from __future__ import annotations

import pytest

from services.runner import announce

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
