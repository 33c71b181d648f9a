"""What each console receives: the tenant's queue, but the words of a conversation only if it is
the agent's (or the agent is a supervisor). Two agents of one tenant on real sockets.

Absence is proven by order: each socket's push events arrive in publication order, so once a
later marker event arrived, an earlier event that did not arrive never will.
"""

from __future__ import annotations

import uuid

import httpx
import nats
import pytest

from shared.events import HandoffRequested, MessageDelta, SentimentScored
from tests.handoff.agent_socket import agent_socket
from tests.handoff.conftest import Feed, Service, Tenants, token
from tests.handoff.test_flow import go_online, publish

pytestmark = pytest.mark.connected


def deltas(feed: Feed, conversation: str) -> list[str]:
    return [
        f["event"]["text"]
        for f in feed.events
        if f.get("kind") == "event"
        and f["event"]["type"] == "message.delta"
        and f["event"]["conversation_id"] == conversation
    ]


def got(conversation: str, kind: str):  # type: ignore[no-untyped-def]
    return lambda f: (
        f.get("kind") == "event" and f["event"]["type"] == kind and f["event"]["conversation_id"] == conversation
    )


@pytest.mark.parametrize("handoff_rules", [{"auto_assign": False}])
async def test_an_agent_gets_live_events_of_own_conversations_and_metadata_of_the_queue(
    service: Service, api: httpx.AsyncClient, tenants: Tenants, nats_client: nats.NATS
) -> None:
    t = tenants.main
    alices, bobs, waiting = (uuid.uuid4().hex for _ in range(3))
    await go_online(api, tenants, "alice")
    await go_online(api, tenants, "bob")
    for c in (alices, bobs, waiting):
        await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor"))
    async with (
        agent_socket(service.ws_url, token(t, "alice")) as (alice, _),
        agent_socket(service.ws_url, token(t, "bob")) as (bob, _),
        agent_socket(service.ws_url, token(t, "sam")) as (sam, _),
    ):
        for feed in (alice, bob, sam):
            await feed.wait(
                lambda f: (
                    f.get("kind") == "conversation"
                    and f["conversation"]["conversation_id"] == waiting
                    and f["conversation"]["state"] == "queued"
                )
            )
        for agent, c in (("alice", alices), ("bob", bobs)):
            r = await api.post(f"/v1/conversations/{c}/claim", headers=tenants.auth(agent))
            assert r.status_code == 200, r.text
        for feed in (alice, bob):  # every agent sees the queue change, whoever claimed
            for c in (alices, bobs):
                await feed.wait(
                    lambda f, c=c: (
                        f.get("kind") == "conversation"
                        and f["conversation"]["conversation_id"] == c
                        and f["conversation"]["state"] == "assigned"
                    )
                )

        for c in (alices, waiting, bobs):  # bob's own conversation last: the marker
            await publish(
                nats_client, MessageDelta(tenant_id=t, conversation_id=c, message_id="r", offset=0, text=f"secret {c}")
            )
        await bob.wait(got(bobs, "message.delta"))
        await alice.wait(got(alices, "message.delta"))
        await sam.wait(got(bobs, "message.delta"))
        assert deltas(bob, alices) == []
        assert deltas(bob, waiting) == []
        assert deltas(alice, waiting) == []
        assert deltas(sam, alices) == [f"secret {alices}"]
        assert deltas(sam, waiting) == [f"secret {waiting}"]

        # metadata of a queued conversation reaches every agent
        await publish(
            nats_client,
            SentimentScored(tenant_id=t, conversation_id=waiting, message_id="u", score=-0.9, mood=-0.8, signals=[]),
        )
        await alice.wait(got(waiting, "sentiment.scored"))
        await bob.wait(got(waiting, "sentiment.scored"))
