"""ChatKit over the recorder's database: threads.list lists the visitor's recorded conversations, and a
conversation the stream no longer keeps is read back from the database (SQLite and Postgres)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from chatkit.types import ItemsListParams, ItemsListReq, ThreadListParams, ThreadsListReq

from services.recorder.store import record_event
from shared.db import make_sessionmaker
from shared.db.engine import make_engine
from shared.events import MessageCompleted, UserMessage
from shared.settings import Settings
from tests.frontends.clients import ChatKitClient
from tests.gateway.conftest import TENANTS_YAML, GatewayClient
from tests.shared.db.backends import backend, database_url, migrated_url  # noqa: F401

pytestmark = pytest.mark.connected


@pytest.fixture
def gateway_settings(connected_settings: Settings, tmp_path: Path, migrated_url: str) -> Settings:  # noqa: F811
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(TENANTS_YAML)
    return connected_settings.model_copy(
        update={"heartbeat_s": 30.0, "tenants_file": tenants, "database_url": migrated_url}
    )


async def record(url: str, conversation: str, visitor: str) -> None:
    """What the recorder stored of a conversation older than the stream's retention."""
    ids = {"tenant_id": "acme", "conversation_id": conversation}
    events = [
        UserMessage(**ids, message_id="u1", client_id="c1", visitor_id=visitor, text="Old question"),
        MessageCompleted(**ids, message_id="a1", role="assistant", text="Old answer"),
    ]
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            for seq, event in enumerate(events, 1):
                await record_event(session, event.model_dump(mode="json"), seq, event.channel)
    finally:
        await engine.dispose()


async def test_recorded_conversations_are_listed_and_read_back(
    gateway: GatewayClient, gateway_settings: Settings
) -> None:
    first = await gateway.session()  # an anonymous visitor id is kept only with its secret
    visitor = first["visitor_id"]
    old, someone_elses = uuid.uuid4().hex, uuid.uuid4().hex
    await record(gateway_settings.database_url, old, visitor)
    await record(gateway_settings.database_url, someone_elses, "v_other")
    session = await gateway.session(visitor_id=visitor, visitor_secret=first["visitor_secret"])
    assert session["visitor_id"] == visitor
    client = ChatKitClient(gateway.http, session["token"], session["conversation_id"])

    threads = await client.call(ThreadsListReq(params=ThreadListParams(limit=10)))
    ids = [t["id"] for t in threads["data"]]
    assert old in ids
    assert session["conversation_id"] in ids
    assert someone_elses not in ids

    items = await client.call(ItemsListReq(params=ItemsListParams(thread_id=old, order="asc")))
    assert [(i["id"], i["type"]) for i in items["data"]] == [("u1", "user_message"), ("a1", "assistant_message")]
    assert items["data"][1]["content"][0]["text"] == "Old answer"
    refused = await gateway.http.post(
        "/chatkit",
        content=ItemsListReq(params=ItemsListParams(thread_id=someone_elses)).model_dump_json(),
        headers=client.headers,
    )
    assert refused.status_code == 404
