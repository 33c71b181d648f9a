"""The hallucination guard on real processes: a flag reaches the widget while the reply streams."""

from __future__ import annotations

import pytest

from tests.e2e.client import WidgetClient
from tests.e2e.tenants import demo_tenants_with
from tests.fakes.openai_server import FakeOpenAI

pytestmark = pytest.mark.e2e

# The acme knowledge base says 60 days (90 for members) and $6.50: the second sentence is wrong.
REPLY = (
    "You can return unused items within 60 days of delivery for a full refund. "
    "Return shipping is always free and refunds arrive within 24 hours. "
    "Start a return from Your Orders and drop the parcel at any UPS location."
)


async def test_ungrounded_sentence_is_flagged_before_the_reply_completes(tmp_path, start_system) -> None:
    # A slow stream, so "before completed" means "while streaming", not "just before the end".
    async with FakeOpenAI(replies=[REPLY], chunk_delay=0.03) as fake:
        tenants = demo_tenants_with(tmp_path, acme={"model": {"provider": "openai", "model": "scripted"}})
        env = {"TENANTS_FILE": str(tenants), "LLM_BASE_URL": fake.base_url, "LLM_API_KEY": "test"}
        system = start_system("gateway", "orchestrator", "hallucination-guard", env=env)
        client = WidgetClient(system.gateway_url)
        await client.connect()
        try:
            ack = await client.wait_type("ack", client_id=await client.say("How do returns work?"))
            created = await client.wait_type("message.created", reply_to=ack["message_id"])
            flag = await client.wait_type("message.flagged", message_id=created["message_id"])
            completed = await client.wait_type("message.completed", message_id=created["message_id"])
        finally:
            await client.close()

    frames = client.frames
    assert frames.index(flag) < frames.index(completed), "the flag must arrive while the reply streams"
    later_deltas = [
        f
        for f in frames[frames.index(flag) :]
        if f["type"] == "message.delta" and f["message_id"] == flag["message_id"]
    ]
    assert later_deltas, "deltas of the same reply still stream after the flag"
    assert "free" in flag["sentence"]
    assert "24 hours" in flag["sentence"]
    assert completed["text"][flag["start"] : flag["end"]].strip() == flag["sentence"].strip()
    assert flag["action"] == "flag"  # acme's policy flags only
    flagged_sentences = [f["sentence"] for f in client.of_type("message.flagged")]
    assert not any("60 days" in s for s in flagged_sentences), "grounded sentences are not flagged"


async def test_the_offline_demo_lets_a_visitor_see_a_flag(start_system) -> None:
    """`make run` as shipped (offline answerer, demo tenants): acme's scripted warranty answer claims
    more than its help center says, and the guard flags that claim on the visitor's screen."""
    system = start_system("gateway", "orchestrator", "hallucination-guard")
    client = WidgetClient(system.gateway_url)
    await client.connect()
    try:
        ack = await client.wait_type("ack", client_id=await client.say("Do headlamps have a lifetime warranty?"))
        created = await client.wait_type("message.created", reply_to=ack["message_id"])
        flag = await client.wait_type("message.flagged", message_id=created["message_id"])
        completed = await client.wait_type("message.completed", message_id=created["message_id"])
    finally:
        await client.close()
    assert "5 year warranty" in flag["sentence"]
    assert completed["text"][flag["start"] : flag["end"]].strip() == flag["sentence"].strip()
    assert flag["reason"], "the visitor is told why"
