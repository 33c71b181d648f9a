"""Prometheus metrics on every service: scraped before and after a visitor turn, the counters moved."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.client import WidgetClient
from tests.e2e.system import RunningSystem

pytestmark = pytest.mark.e2e

WAIT_S = 30.0


async def scrape(url: str) -> dict[str, float]:
    """``name{label="value",...}`` -> value, from one /metrics page."""
    async with httpx.AsyncClient(timeout=5) as http:
        response = await http.get(f"{url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


async def scrape_until(url: str, name: str, above: float) -> dict[str, float]:
    """Scrape until ``name`` is above ``above`` (events reach the recorder a moment after the reply)."""
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while True:
        samples = await scrape(url)
        if samples.get(name, 0) > above or asyncio.get_running_loop().time() > deadline:
            return samples
        await asyncio.sleep(0.1)


async def test_a_turn_moves_the_counters_of_every_service(system: RunningSystem) -> None:
    health = system.state["health"]
    orchestrator, recorder = health["orchestrator#0"], health["recorder#0"]
    assert {"orchestrator#0", "recorder#0", "hallucination-guard#0", "sentiment-monitor#0", "workers#0"} <= set(health)
    before = {
        "gateway": await scrape(system.gateway_url),
        "orchestrator": await scrape(orchestrator),
        "recorder": await scrape(recorder),
    }
    client = WidgetClient(system.gateway_url)
    await client.connect()
    try:
        ack = await client.wait_type("ack", client_id=await client.say("How long does shipping take?"))
        await client.wait_type("message.completed", reply_to=ack["message_id"])
        gateway = await scrape(system.gateway_url)
    finally:
        await client.close()
    assert gateway["switchboard_sockets_open"] == before["gateway"].get("switchboard_sockets_open", 0) + 1
    assert gateway['switchboard_bus_publish_seconds_count{channel="conv"}'] > before["gateway"].get(
        'switchboard_bus_publish_seconds_count{channel="conv"}', 0
    )

    orch = await scrape(orchestrator)
    old = before["orchestrator"]
    completed = 'switchboard_turns_total{outcome="completed"}'
    assert orch[completed] == old.get(completed, 0) + 1
    assert orch["switchboard_ttft_seconds_count"] == old.get("switchboard_ttft_seconds_count", 0) + 1
    assert orch["switchboard_reply_seconds_count"] == old.get("switchboard_reply_seconds_count", 0) + 1
    assert orch["switchboard_tokens_total"] > old.get("switchboard_tokens_total", 0)
    lag = 'switchboard_bus_consume_lag_seconds_count{consumer="orchestrator"}'
    assert orch[lag] == old.get(lag, 0) + 1
    assert 'switchboard_consumer_pending{consumer="orchestrator"}' in orch

    writes = 'switchboard_db_write_seconds_count{writer="recorder"}'
    rec = await scrape_until(recorder, writes, before["recorder"].get(writes, 0))
    assert rec[writes] > before["recorder"].get(writes, 0)
    assert 'switchboard_consumer_pending{consumer="recorder-conv"}' in rec

    # Every other service answers /metrics too (the handoff service on its HTTP port).
    for url in (
        system.handoff_url,
        health["hallucination-guard#0"],
        health["sentiment-monitor#0"],
        health["workers#0"],
    ):
        assert "switchboard_sockets_open" in await scrape(url)  # an unlabelled metric: present in every process
