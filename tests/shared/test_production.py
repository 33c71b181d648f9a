"""Production refuses public demo credentials; development stays on loopback; test refuses the placeholder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from shared.demo import DEMO_TENANTS
from shared.settings import DEV_SECRET, Settings

REAL_SECRET = "a-real-production-secret-0123456789"


def tenants_file(tmp_path: Path, **fields: object) -> Path:
    tenant = {"id": "shop", "name": "Shop", "widget_key": "pk_live_shop", **fields}
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump({"tenants": [tenant]}))
    return path


def production(**overrides: object) -> Settings:
    return Settings(environment="production", secret_key=REAL_SECRET, **overrides)  # type: ignore[arg-type]


def test_production_starts_with_real_tenants_and_turns_demo_pages_and_docs_off(tmp_path: Path) -> None:
    settings = production(tenants_file=tenants_file(tmp_path, identity_secret="a-real-identity-secret"))
    assert settings.demo_pages is False
    assert settings.api_docs is False
    on = production(tenants_file=tenants_file(tmp_path), demo_pages=True, api_docs=True)
    assert on.demo_pages is True
    assert on.api_docs is True


def test_production_refuses_the_shipped_demo_tenants_file() -> None:
    with pytest.raises(ValidationError, match="holds public demo credentials") as refused:
        production(tenants_file=DEMO_TENANTS)
    message = str(refused.value)
    assert "tenant 'acme' identity_secret is the demo identity_secret of tenant 'acme'" in message
    assert "tenant 'globex' widget_key is the demo widget_key of tenant 'globex'" in message


def test_production_refuses_the_demo_identity_secret_copied_into_a_real_file(tmp_path: Path) -> None:
    path = tenants_file(tmp_path, identity_secret="demo-acme-identity-secret")
    with pytest.raises(ValidationError, match="tenant 'shop' identity_secret is the demo identity_secret"):
        production(tenants_file=path)


def test_production_refuses_a_demo_widget_key(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump({"tenants": [{"id": "shop", "name": "S", "widget_key": "pk_demo_initech"}]}))
    with pytest.raises(ValidationError, match="tenant 'shop' widget_key is the demo widget_key of tenant 'initech'"):
        production(tenants_file=path)


def test_production_refuses_a_missing_tenants_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"TENANTS_FILE .*nowhere\.yaml does not exist"):
        production(tenants_file=tmp_path / "nowhere.yaml")


@pytest.mark.parametrize("environment", ["test", "production"])
def test_the_development_placeholder_secret_is_refused_outside_development(environment: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=f"public development placeholder.*ENVIRONMENT='{environment}'"):
        Settings(environment=environment, secret_key=DEV_SECRET, tenants_file=tenants_file(tmp_path))  # type: ignore[arg-type]


def test_development_uses_the_placeholder_on_loopback_only() -> None:
    settings = Settings(environment="development", secret_key=None)
    assert settings.secret_key == DEV_SECRET
    assert (settings.gateway_host, settings.handoff_host) == ("127.0.0.1", "127.0.0.1")
    assert (settings.demo_pages, settings.api_docs) == (True, True)
    with pytest.raises(ValidationError, match=r"GATEWAY_HOST='0\.0\.0\.0' in development mode.*public demo secrets"):
        Settings(environment="development", gateway_host="0.0.0.0")
    with pytest.raises(ValidationError, match=r"HANDOFF_HOST='192\.168\.1\.10' in development mode"):
        Settings(environment="development", handoff_host="192.168.1.10")


def test_the_test_suite_does_not_run_on_the_placeholder() -> None:
    from tests.conftest import TEST_SECRET

    assert TEST_SECRET != DEV_SECRET
