"""A record in the shared handoff bucket that this build cannot read never stops the service."""

from __future__ import annotations

import httpx
import nats
import pytest
from nats.js.errors import BucketNotFoundError

from handoff.config import HandoffSettings
from shared.settings import Settings
from shared.subjects import HANDOFF_BUCKET, handoff_record_key
from tests.handoff.conftest import Tenants, start_service

pytestmark = pytest.mark.connected


async def test_an_unreadable_record_is_skipped_and_the_service_starts(
    nats_client: nats.NATS, service_settings: Settings, handoff_config: HandoffSettings, tenants: Tenants
) -> None:
    js = nats_client.jetstream()
    try:
        kv = await js.key_value(HANDOFF_BUCKET)
    except BucketNotFoundError:
        kv = await js.create_key_value(bucket=HANDOFF_BUCKET, history=1)
    await kv.put(handoff_record_key(tenants.main, "broken-record"), b'{"state": "ai"}')  # no ids
    await kv.put(handoff_record_key(tenants.main, "not-json"), b"\x00garbage")
    service = await start_service(service_settings, handoff_config)
    try:
        async with httpx.AsyncClient(base_url=service.url, timeout=10) as api:
            listed = await api.get("/v1/conversations", headers=tenants.auth())
        assert listed.status_code == 200
        assert all(c["conversation_id"] not in ("broken-record", "not-json") for c in listed.json())
    finally:
        await service.stop()
