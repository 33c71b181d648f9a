"""GET /v1/conversations/{id}/events: the visitor's own history, by token, on both databases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from gateway import tokens
from gateway.history_routes import router
from services.recorder.store import record_event
from shared.db import make_sessionmaker
from shared.db.deps import request_settings
from shared.db.engine import make_engine
from shared.events import MessageCompleted, SentimentScored, UserMessage
from shared.settings import Settings
from tests.conftest import TEST_SECRET
from tests.shared.db.backends import backend, database_url, migrated_url  # noqa: F401

TENANT = "acme"


@pytest.fixture
def history_settings(migrated_url: str, tmp_path: Path) -> Settings:  # noqa: F811
    return Settings(environment="test", secret_key=TEST_SECRET, database_url=migrated_url, var_dir=tmp_path)


@pytest.fixture
async def client(history_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[request_settings] = lambda: history_settings
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def seed(settings: Settings, conv: str, visitor: str, turns: int) -> None:
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            for i in range(turns):
                events = [
                    UserMessage(
                        tenant_id=TENANT, conversation_id=conv, message_id=f"u{i}", client_id=f"c{i}",
                        visitor_id=visitor, text=f"q{i}",
                    ),
                    MessageCompleted(
                        tenant_id=TENANT, conversation_id=conv, message_id=f"a{i}", role="assistant", text=f"a{i}"
                    ),
                    SentimentScored(tenant_id=TENANT, conversation_id=conv, message_id=f"u{i}", score=0, mood=0),
                ]  # fmt: skip
                for j, event in enumerate(events):
                    await record_event(session, event.model_dump(mode="json"), 10 * i + j + 1, event.channel)
    finally:
        await engine.dispose()


def bearer(visitor: str, conv: str, tenant: str = TENANT) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.sign(TEST_SECRET, tenant, visitor, conv, 600)}"}


async def test_visitor_pages_through_own_history(client: httpx.AsyncClient, history_settings: Settings) -> None:
    conv = uuid.uuid4().hex
    await seed(history_settings, conv, "v_owner", turns=3)
    url = f"/v1/conversations/{conv}/events"

    newest = await client.get(url, params={"limit": 4}, headers=bearer("v_owner", conv))
    assert newest.status_code == 200, newest.text
    body = newest.json()
    assert [e["seq"] for e in body["events"]] == [11, 12, 21, 22]
    assert body["has_more"] is True
    assert {e["type"] for e in body["events"]} == {"message.user", "message.completed"}  # no ops events

    older = (await client.get(url, params={"before_seq": 11}, headers=bearer("v_owner", conv))).json()
    assert [e["seq"] for e in older["events"]] == [1, 2]
    assert older["has_more"] is False

    resumed = (await client.get(url, params={"after_seq": 2, "limit": 2}, headers=bearer("v_owner", conv))).json()
    assert [(e["seq"], e.get("text")) for e in resumed["events"]] == [(11, "q1"), (12, "a1")]
    assert resumed["has_more"] is True


async def test_refuses_missing_bad_and_foreign_tokens(client: httpx.AsyncClient, history_settings: Settings) -> None:
    conv, other = uuid.uuid4().hex, uuid.uuid4().hex
    await seed(history_settings, conv, "v_owner", turns=1)
    url = f"/v1/conversations/{conv}/events"

    assert (await client.get(url)).status_code == 401
    forged = tokens.sign("another-secret-0123456789", TENANT, "v_owner", conv, 600)
    assert (await client.get(url, headers={"Authorization": f"Bearer {forged}"})).status_code == 401
    # A valid token for another conversation.
    assert (await client.get(url, headers=bearer("v_thief", other))).status_code == 403
    # A token naming this conversation but another visitor (or tenant) than the recorded owner.
    assert (await client.get(url, headers=bearer("v_thief", conv))).status_code == 403
    assert (await client.get(url, headers=bearer("v_owner", conv, tenant="globex"))).status_code == 403
    assert (await client.get(url, params={"limit": 0}, headers=bearer("v_owner", conv))).status_code == 422


async def test_conversation_not_yet_recorded_is_an_empty_page(client: httpx.AsyncClient) -> None:
    conv = uuid.uuid4().hex
    response = await client.get(f"/v1/conversations/{conv}/events", headers=bearer("v_new", conv))
    assert response.status_code == 200
    assert response.json() == {"conversation_id": conv, "events": [], "has_more": False}


async def test_the_tenants_origin_policy_applies(history_settings: Settings, tmp_path: Path) -> None:
    tenants = tmp_path / "strict-tenants.yaml"
    tenants.write_text(
        "tenants:\n  - {id: strict, name: Strict, widget_key: pk_strict, allowed_origins: ['https://strict.example']}\n"
    )
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[request_settings] = lambda: history_settings.model_copy(update={"tenants_file": tenants})
    conv = uuid.uuid4().hex
    url = f"/v1/conversations/{conv}/events"
    token = bearer("v_1", conv, tenant="strict")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        evil = await http.get(url, headers={**token, "Origin": "https://evil.example"})
        allowed = await http.get(url, headers={**token, "Origin": "https://strict.example"})
        no_origin = await http.get(url, headers=token)  # not a browser: the origin cannot stop it anyway
        unknown = await http.get(url, headers=bearer("v_1", conv, tenant="nobody"))
    assert evil.status_code == 403
    assert "evil.example" in evil.json()["detail"]
    assert (allowed.status_code, no_origin.status_code) == (200, 200)
    assert unknown.status_code == 401
