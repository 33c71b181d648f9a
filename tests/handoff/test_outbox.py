"""A crash between a state change and its events: a restarted replica publishes them, once each.

The crash is simulated by making the publication raise right after the compare-and-set (or
after the first of the transition's events); the service is then restarted on the same NATS.
"""

from __future__ import annotations

import json

import httpx
import nats
import pytest

from handoff import transitions
from handoff.store import HANDOFF_BUCKET, conversation_key
from shared.events import HandoffRequested
from shared.subjects import CONV_STREAM, OPS_STREAM, Channel, subject
from tests.handoff.conftest import Feed, Service, Tenants, start_service
from tests.handoff.test_flow import go_online, mode, publish

pytestmark = pytest.mark.connected


class Crash(Exception):
    """Stands for the process dying here."""


async def count(nc: nats.NATS, stream: str, subj: str) -> int:
    info = await nc.jetstream().stream_info(stream, subjects_filter=subj)
    return (info.state.subjects or {}).get(subj, 0)


@pytest.fixture
def handoff_rules() -> dict[str, object]:
    return {"auto_assign": False}


@pytest.mark.parametrize("crash_at", ["handoff.accepted", "handoff.state"])
async def test_events_of_a_crashed_transition_are_published_once_after_a_restart(
    service_settings,
    handoff_config,
    service: Service,
    api: httpx.AsyncClient,
    tenants: Tenants,
    nats_client: nats.NATS,
    feed_for,
    conversation_id: str,
    monkeypatch: pytest.MonkeyPatch,
    crash_at: str,
) -> None:
    t, c = tenants.main, conversation_id
    accepted_subject = subject(Channel.CONV, t, c, "handoff.accepted")
    state_subject = subject(Channel.OPS, t, c, "handoff.state")
    widget = await feed_for(t, c)
    ops = Feed()

    async def on_state(msg) -> None:
        ops.add(json.loads(msg.data))

    await nats_client.subscribe(state_subject, cb=on_state)
    await go_online(api, tenants)
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor"))
    await ops.wait(lambda e: e["state"] == "queued")
    assert await count(nats_client, OPS_STREAM, state_subject) == 1  # ai -> queued

    real_emit = transitions.emit

    async def dying_emit(broker, event):
        if event.type == crash_at and getattr(event, "state", "assigned") == "assigned":
            raise Crash(f"died before publishing {event.type}")
        return await real_emit(broker, event)

    monkeypatch.setattr(transitions, "emit", dying_emit)
    r = await api.post(f"/v1/conversations/{c}/claim", headers=tenants.auth())
    assert r.status_code == 500
    kv = await nats_client.jetstream().key_value(HANDOFF_BUCKET)
    stored = (await kv.get(conversation_key(t, c))).value
    assert b'"state":"assigned"' in stored.replace(b" ", b"")
    assert b"outbox" in stored  # the events wait in the record
    assert await count(nats_client, OPS_STREAM, state_subject) == 1  # the claim's state event is missing

    monkeypatch.setattr(transitions, "emit", real_emit)
    await service.stop()
    restarted = await start_service(service_settings, handoff_config)
    try:
        await widget.wait(lambda e: e["type"] == "handoff.accepted")
        assert await count(nats_client, CONV_STREAM, accepted_subject) == 1
        assert await count(nats_client, OPS_STREAM, state_subject) == 2
        assert await mode(nats_client, t, c) == b"assigned"
        stored = (await kv.get(conversation_key(t, c))).value
        assert b"outbox" not in stored
        # a second restart publishes nothing again
        await restarted.stop()
        restarted = await start_service(service_settings, handoff_config)
        assert await count(nats_client, CONV_STREAM, accepted_subject) == 1
        assert await count(nats_client, OPS_STREAM, state_subject) == 2
    finally:
        await restarted.stop()


@pytest.mark.parametrize(
    ("handoff_rules", "expected"),
    [({"auto_assign": False}, b"queued"), ({"auto_assign": False, "ai_while_queued": True}, b"ai")],
)
async def test_a_queued_conversation_mode_key(
    service: Service,
    api: httpx.AsyncClient,
    tenants: Tenants,
    nats_client: nats.NATS,
    feed_for,
    conversation_id: str,
    expected: bytes,
) -> None:
    t, c = tenants.main, conversation_id
    widget = await feed_for(t, c)
    await go_online(api, tenants)
    await publish(nats_client, HandoffRequested(tenant_id=t, conversation_id=c, trigger="visitor"))
    await widget.wait(lambda e: e["type"] == "handoff.queued")
    assert await mode(nats_client, t, c) == expected
    r = await api.post(f"/v1/conversations/{c}/claim", headers=tenants.auth())
    assert r.status_code == 200
    assert await mode(nats_client, t, c) == b"assigned"
    r = await api.post(f"/v1/conversations/{c}/handback", headers=tenants.auth())
    assert await mode(nats_client, t, c) == b"ai"
