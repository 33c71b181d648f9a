"""Knowledge uploads through the admin API: stored in the database, indexed in the background, and
answered from by a running orchestrator within seconds; deleted, no longer answered."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import nats
import pytest
from faststream.nats import NatsBroker
from sqlalchemy import func, select

from handoff.app import create_app as create_handoff
from handoff.config import HandoffSettings
from orchestrator.app import running
from orchestrator.config import OrchestratorSettings
from orchestrator.turns import Orchestrator
from shared.bus import emit, make_broker
from shared.db.engine import make_engine, make_sessionmaker
from shared.db.knowledge import KnowledgeDocument
from shared.events import MessageCompleted, UserMessage
from shared.settings import Settings
from shared.subjects import Channel, conversation_pattern
from tests.admin.conftest import KEY_ID, new_tenant_id, tenant_body
from tests.handoff.conftest import serve
from tests.orchestrator._helpers import Watcher
from tests.shared.pdf_bytes import minimal_pdf

pytestmark = pytest.mark.connected

MARKDOWN = b"""# Moon Bakery

## Sourdough

Our sourdough starter is called Bartholomew and is fed rye flour every morning at six.
"""
PDF_LINES = ["The lighthouse ferry leaves the harbour pier every Tuesday at noon."]
MAX_BYTES = 300_000  # over the app's 64 KiB body limit: the upload route has its own
REBUILT_S = 5.0  # an upload (or delete) reaches a running orchestrator's index within this


@pytest.fixture(autouse=True)
def _small_uploads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_KNOWLEDGE_MAX_BYTES", str(MAX_BYTES))


async def documents_stored(url: str) -> int:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(KnowledgeDocument)) or 0)
    finally:
        await engine.dispose()


@asynccontextmanager
async def orchestrator(settings: Settings) -> AsyncIterator[Orchestrator]:
    options = OrchestratorSettings(durable=f"orch-kb-{uuid.uuid4().hex[:8]}", deliver="new", word_delay_s=0)
    async with running(settings, options) as orch:
        yield orch


@pytest.fixture
async def bus(admin_settings: Settings) -> AsyncIterator[NatsBroker]:
    broker = make_broker(admin_settings)
    await broker.connect()
    yield broker
    await broker.stop()


async def ask(nc: nats.NATS, bus: NatsBroker, tenant_id: str, text: str) -> MessageCompleted:
    conversation_id = f"c{uuid.uuid4().hex[:10]}"
    watcher = Watcher()
    await nc.subscribe(conversation_pattern(Channel.PUSH, tenant_id, conversation_id), cb=watcher.on_message)
    await nc.flush()
    await emit(
        bus,
        UserMessage(
            id=f"u-{conversation_id}",
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            message_id=f"{conversation_id}-m1",
            client_id="c1",
            visitor_id="v1",
            text=text,
        ),
    )
    [completed] = await watcher.until("message.completed")
    assert isinstance(completed, MessageCompleted)
    return completed


async def until_ready(admin: httpx.AsyncClient, tenant_id: str, doc_id: int) -> dict[str, object]:
    async with asyncio.timeout(REBUILT_S):
        while True:
            [doc] = [d for d in (await admin.get(f"/tenants/{tenant_id}/knowledge")).json() if d["id"] == doc_id]
            if doc["status"] in ("ready", "failed"):
                return doc
            await asyncio.sleep(0.05)  # polling the API, as the admin page does


async def test_uploaded_markdown_and_pdf_are_answered_then_deleted_are_not(
    admin: httpx.AsyncClient, admin_settings: Settings, nats_client: nats.NATS, bus: NatsBroker
) -> None:
    tenant_id = new_tenant_id()
    assert (await admin.post("/tenants", json=tenant_body(tenant_id))).status_code == 201
    async with orchestrator(admin_settings) as orch:
        assert orch.knowledge is not None
        before = await ask(nats_client, bus, tenant_id, "What is the sourdough starter called?")
        assert "Bartholomew" not in before.text

        md = await admin.post(
            f"/tenants/{tenant_id}/knowledge", files={"file": ("bakery.md", MARKDOWN, "text/markdown")}
        )
        pdf = await admin.post(
            f"/tenants/{tenant_id}/knowledge",
            files={"file": ("ferry.pdf", minimal_pdf(PDF_LINES, title="Ferry timetable"), "application/pdf")},
        )
        assert md.status_code == 202, md.text
        assert pdf.status_code == 202, pdf.text
        assert md.json()["status"] == "queued"
        assert (md.json()["kind"], pdf.json()["kind"]) == ("markdown", "pdf")
        md_id, pdf_id = md.json()["id"], pdf.json()["id"]
        ready = await until_ready(admin, tenant_id, md_id)
        assert (ready["status"], ready["progress"], ready["language"]) == ("ready", 1.0, "en")
        assert ready["passages"] >= 1
        assert (await until_ready(admin, tenant_id, pdf_id))["status"] == "ready"
        text = (await admin.get(f"/tenants/{tenant_id}/knowledge/{pdf_id}")).json()["markdown"]
        assert "lighthouse ferry" in text

        took = await orch.knowledge.wait_for(tenant_id, {md_id, pdf_id}, REBUILT_S)
        assert took < REBUILT_S
        bread = await ask(nats_client, bus, tenant_id, "What is the sourdough starter called?")
        ferry = await ask(nats_client, bus, tenant_id, "When does the lighthouse ferry leave?")
        assert "Bartholomew" in bread.text
        assert "Tuesday at noon" in ferry.text
        assert any(s.title.startswith("Moon Bakery") for s in bread.sources)

        deleted = await admin.delete(f"/tenants/{tenant_id}/knowledge/{md_id}")
        assert deleted.status_code == 204
        await orch.knowledge.wait_for(tenant_id, {pdf_id}, REBUILT_S)
        after = await ask(nats_client, bus, tenant_id, "What is the sourdough starter called?")
        assert "Bartholomew" not in after.text
        assert [d["id"] for d in (await admin.get(f"/tenants/{tenant_id}/knowledge")).json()] == [pdf_id]

    audit = (await admin.get(f"/tenants/{tenant_id}/audit")).json()
    actions = [(a["action"], a["key_id"]) for a in audit[:3]]
    assert actions == [("knowledge.delete", KEY_ID), ("knowledge.upload", KEY_ID), ("knowledge.upload", KEY_ID)]
    assert audit[0]["diff"][0]["before"]["filename"] == "bakery.md"


async def test_an_orchestrator_started_later_answers_from_earlier_uploads(
    admin: httpx.AsyncClient, admin_settings: Settings, nats_client: nats.NATS, bus: NatsBroker
) -> None:
    tenant_id = new_tenant_id()
    assert (await admin.post("/tenants", json=tenant_body(tenant_id))).status_code == 201
    md = await admin.post(f"/tenants/{tenant_id}/knowledge", files={"file": ("bakery.md", MARKDOWN, "text/markdown")})
    assert (await until_ready(admin, tenant_id, md.json()["id"]))["status"] == "ready"
    async with orchestrator(admin_settings) as orch:
        assert orch.knowledge is not None
        await orch.knowledge.wait_for(tenant_id, {md.json()["id"]}, REBUILT_S)
        answer = await ask(nats_client, bus, tenant_id, "What is the sourdough starter called?")
    assert "Bartholomew" in answer.text


@pytest.mark.parametrize(
    ("name", "data", "content_type", "code", "says"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", 415, "Expected text (.txt), markdown"),
        ("blob", b"\x00\x01\x02\x03binary", "application/octet-stream", 415, "Expected text (.txt)"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "application/pdf", 422, "readable pdf"),
        ("empty.md", b"   \n\n", "text/markdown", 422, "found none"),
        ("big.txt", b"word " * 60_001, "text/plain", 413, f"at most {MAX_BYTES} bytes"),
    ],
)
async def test_a_bad_upload_is_refused_clearly_and_nothing_is_stored(
    admin: httpx.AsyncClient,
    admin_settings: Settings,
    name: str,
    data: bytes,
    content_type: str,
    code: int,
    says: str,
) -> None:
    tenant_id = new_tenant_id()
    assert (await admin.post("/tenants", json=tenant_body(tenant_id))).status_code == 201
    answer = await admin.post(f"/tenants/{tenant_id}/knowledge", files={"file": (name, data, content_type)})
    assert answer.status_code == code, answer.text
    assert says in answer.json()["detail"]
    assert (await admin.get(f"/tenants/{tenant_id}/knowledge")).json() == []
    assert await documents_stored(str(admin_settings.database_url)) == 0
    assert [a["action"] for a in (await admin.get(f"/tenants/{tenant_id}/audit")).json()] == ["tenant.create"]


async def test_a_duplicate_is_409_an_unknown_tenant_or_document_404(admin: httpx.AsyncClient) -> None:
    tenant_id = new_tenant_id()
    assert (await admin.post("/tenants", json=tenant_body(tenant_id))).status_code == 201
    files = {"file": ("bakery.md", MARKDOWN, "text/markdown")}
    first = await admin.post(f"/tenants/{tenant_id}/knowledge", files=files)
    again = await admin.post(f"/tenants/{tenant_id}/knowledge", files=files)
    assert first.status_code == 202
    assert again.status_code == 409
    assert f"document {first.json()['id']}" in again.json()["detail"]
    assert (await admin.post("/tenants/nobody/knowledge", files=files)).status_code == 404
    assert (await admin.delete(f"/tenants/{tenant_id}/knowledge/99999")).status_code == 404
    other = new_tenant_id()
    assert (await admin.post("/tenants", json=tenant_body(other))).status_code == 201
    assert (await admin.delete(f"/tenants/{other}/knowledge/{first.json()['id']}")).status_code == 404


async def test_a_document_over_the_apps_body_limit_but_under_the_upload_limit_is_taken(
    admin: httpx.AsyncClient, admin_settings: Settings
) -> None:
    tenant_id = new_tenant_id()
    assert (await admin.post("/tenants", json=tenant_body(tenant_id))).status_code == 201
    sections = "".join(f"## Part {i}\n\nShelf {i} holds {i * 3} jars of plum jam.\n\n" for i in range(4000))
    data = f"# Pantry\n\n{sections}".encode()
    assert admin_settings.max_body_bytes < len(data) < MAX_BYTES
    answer = await admin.post(f"/tenants/{tenant_id}/knowledge", files={"file": ("pantry.md", data, "text/markdown")})
    assert answer.status_code == 202, answer.text
    assert answer.json()["size"] == len(data)
    ready = await until_ready(admin, tenant_id, answer.json()["id"])
    assert (ready["status"], ready["passages"]) == ("ready", 4000)  # one per section


async def test_a_request_over_the_limit_is_refused_by_its_length_before_reading(
    admin: httpx.AsyncClient,
) -> None:
    tenant_id = new_tenant_id()
    assert (await admin.post("/tenants", json=tenant_body(tenant_id))).status_code == 201
    data = b"x" * (MAX_BYTES + 200_000)
    answer = await admin.post(f"/tenants/{tenant_id}/knowledge", files={"file": ("big.txt", data, "text/plain")})
    assert answer.status_code == 413
    assert "got a request of" in answer.json()["detail"]


async def test_uploads_need_an_admin_key(admin: httpx.AsyncClient) -> None:
    files = {"file": ("bakery.md", MARKDOWN, "text/markdown")}
    async with httpx.AsyncClient(base_url=str(admin.base_url)) as anonymous:
        assert (await anonymous.post("/tenants/main/knowledge", files=files)).status_code == 401
        assert (await anonymous.get("/tenants/main/knowledge")).status_code == 401


async def test_a_document_left_queued_by_a_stopped_replica_is_indexed_by_the_next_one_to_start(
    admin: httpx.AsyncClient, admin_settings: Settings, handoff_config: HandoffSettings
) -> None:
    tenant_id = new_tenant_id()
    assert (await admin.post("/tenants", json=tenant_body(tenant_id))).status_code == 201
    engine = make_engine(str(admin_settings.database_url))
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            doc = KnowledgeDocument(
                tenant_id=tenant_id,
                filename="bakery.md",
                content_type="text/markdown",
                kind="markdown",
                size=len(MARKDOWN),
                sha256="0" * 64,
                markdown=MARKDOWN.decode(),
                status="indexing",  # a replica died here
                progress=0.25,
                passages=0,
                uploaded_by=KEY_ID,
            )
            session.add(doc)
    finally:
        await engine.dispose()
    assert (await admin.get(f"/tenants/{tenant_id}/knowledge")).json()[0]["status"] == "indexing"
    second = await serve(create_handoff(admin_settings, handoff_config))
    try:
        ready = await until_ready(admin, tenant_id, doc.id)
    finally:
        await second.stop()
    assert (ready["status"], ready["progress"]) == ("ready", 1.0)
