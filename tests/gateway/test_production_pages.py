"""The demo pages and the API docs are off by default in production; a setting turns them on."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from shared.settings import Settings
from tests.shared.test_production import REAL_SECRET, tenants_file

PUBLIC_EXTRAS = ("/", "/demo", "/static/demo.js", "/docs", "/redoc", "/openapi.json")


async def statuses(settings: Settings) -> dict[str, int]:
    transport = httpx.ASGITransport(app=create_app(settings))  # no lifespan: only routing is asked
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return {path: (await client.get(path)).status_code for path in PUBLIC_EXTRAS}


async def test_production_serves_no_demo_pages_and_no_api_docs(tmp_path: Path) -> None:
    prod = Settings(environment="production", secret_key=REAL_SECRET, tenants_file=tenants_file(tmp_path))
    assert await statuses(prod) == dict.fromkeys(PUBLIC_EXTRAS, 404)


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_the_settings_turn_them_on(tmp_path: Path, environment: str) -> None:
    on = Settings(
        environment=environment,  # type: ignore[arg-type]
        secret_key=REAL_SECRET,
        tenants_file=tenants_file(tmp_path),
        demo_pages=True if environment == "production" else None,
        api_docs=True if environment == "production" else None,
    )
    assert await statuses(on) == dict.fromkeys(PUBLIC_EXTRAS, 200)
