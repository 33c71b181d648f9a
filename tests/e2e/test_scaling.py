"""Two gateways and two orchestrators as real processes: in order, exactly once, no cross traffic."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest

from tests.e2e.client import WidgetClient
from tests.e2e.system import RunningSystem

pytestmark = pytest.mark.e2e

QUESTIONS = ["How do returns work?", "Is there a warranty on tents?", "Where is your nearest store?"]


def conversation_of(subject: str) -> str:
    return subject.split(".")[3]


async def test_replicas_answer_each_conversation_in_order_exactly_once(start_system) -> None:
    system: RunningSystem = start_system(
        "gateway", "orchestrator", "--replicas", "gateway=2", "--replicas", "orchestrator=2"
    )
    gateways = system.state["urls"]["gateway"]
    assert len(gateways) == 2
    clients = [WidgetClient(gateways[i % 2]) for i in range(6)]
    await asyncio.gather(*(c.connect() for c in clients))
    try:
        # Every client fires its questions without waiting for answers.
        client_ids = {id(c): [await c.say(q) for q in QUESTIONS] for c in clients}
        acks = {id(c): [await c.wait_type("ack", client_id=cid) for cid in client_ids[id(c)]] for c in clients}
        for c in clients:
            for ack in acks[id(c)]:
                await c.wait_type("message.completed", reply_to=ack["message_id"], timeout=90)

        # Each gateway subscribes to the push subjects of its own sockets' conversations only.
        async with httpx.AsyncClient() as http:
            connz = (await http.get(f"{system.state['nats_monitor_url']}/connz?subs=1")).json()
        gateway_subs = [
            {s for s in conn.get("subscriptions_list", []) if s.startswith("sb.push.")}
            for conn in connz["connections"]
            if conn.get("name") == "gateway"
        ]
    finally:
        await asyncio.gather(*(c.close() for c in clients))

    for c in clients:
        sent = [a["message_id"] for a in acks[id(c)]]
        completed = [f for f in c.of_type("message.completed") if f["role"] == "assistant"]
        assert [f["reply_to"] for f in completed] == sent, "answered in the order asked, once each"
        # Durable events as delivered (acks repeat their message's seq): strictly increasing, no repeat.
        seqs = [f["seq"] for f in c.frames if isinstance(f.get("seq"), int) and f.get("type") != "ack"]
        assert all(a < b for a, b in itertools.pairwise(seqs)), f"Expected strictly increasing seqs, got {seqs}"
        ids = [f["id"] for f in c.frames if "id" in f and f.get("type") != "message.delta"]
        assert len(ids) == len(set(ids)), "no event delivered twice"

    assert len(gateway_subs) == 2
    per_url = [{c.conversation_id for c in clients if c.gateway_url == url} for url in gateways]
    seen = [{conversation_of(s) for s in subs} for subs in gateway_subs]
    wildcards = [s for subs in gateway_subs for s in subs if any(t in ("*", ">") for t in s.split(".")[2:4])]
    assert all(len(s.split(".")) >= 5 for subs in gateway_subs for s in subs)
    assert wildcards == [], "no gateway subscribes to other conversations by wildcard"
    assert sorted(seen, key=sorted) == sorted(per_url, key=sorted), "each gateway follows only its own sockets"
