"""The loop on Postgres beside SQLite: gateway, orchestrator (LangGraph checkpointer in the
database) and recorder as processes, the same scripted zero-latency model, N conversations at
once (50 and 200; --quick: 10). Per database: time to first token, tokens/s, turns/s, and the
recorder's catch-up (how long after the last reply every SB_CONV event is in the database)
and rate. The Postgres is BENCH_DATABASE_URL, else 127.0.0.1:5432 (a fresh database per run);
BENCH_DATABASES=postgres (or sqlite) runs one side only. A turn not completed within
TURN_TIMEOUT_S counts as lost (its client stops), so a stuck turn cannot hang the run.

Connection pools per process (what the figures were measured with): SQLAlchemy engine
pool_size 5 + max_overflow 10 (gateway, recorder, workers), the checkpointer's psycopg pool
max 10 (shared.checkpointer.POOL_MAX) per orchestrator.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import nats
from sqlalchemy.engine import make_url

from bench.loop import REPLY, bus_client, run_level
from bench.stats import table
from services.nats_embedded import free_port, wait_for_port
from shared.settings import REPO_ROOT
from tests.e2e.system import RunningSystem
from tests.e2e.tenants import demo_tenants_with

TURNS = 3
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
CATCH_UP_TIMEOUT_S = 120.0
TURN_TIMEOUT_S = 120.0


async def fresh_postgres() -> tuple[str, str]:
    """(server URL to drop it from, asyncpg-dialect URL of a new empty database)."""
    server = os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER).replace("postgresql+asyncpg://", "postgresql://")
    name = f"bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = make_url(server).set(drivername="postgresql+asyncpg", database=name)
    return server, url.render_as_string(hide_password=False)


async def drop_postgres(server: str, url: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await conn.close()


async def recorded_events(database_url: str) -> int:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        import aiosqlite

        async with (
            aiosqlite.connect(url.database or "") as db,
            db.execute("SELECT count(*) FROM events WHERE channel = 'conv'") as cursor,
        ):
            row = await cursor.fetchone()
            return int(row[0]) if row else 0
    conn = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM events WHERE channel = 'conv'"))
    finally:
        await conn.close()


async def stored_events(nats_url: str) -> int:
    nc = await nats.connect(nats_url)
    try:
        return int((await nc.jetstream().stream_info("SB_CONV")).state.messages)
    finally:
        await nc.close()


async def catch_up(system: RunningSystem, database_url: str) -> tuple[float, int]:
    """Seconds until the recorder holds every SB_CONV event, and how many there are."""
    started = time.perf_counter()
    target = await stored_events(system.nats_url)
    while time.perf_counter() - started < CATCH_UP_TIMEOUT_S:
        if await recorded_events(database_url) >= target:
            return time.perf_counter() - started, target
        await asyncio.sleep(0.1)  # polling: the recorder announces nothing
    return float("nan"), target


async def run_database(label: str, database_url: str, levels: list[int], env: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp) / "sys"
        if database_url == "sqlite":  # the runner's default: a file in its var dir
            database_url = f"sqlite+aiosqlite:///{var}/switchboard.db"
        system_env = {**env, "DATABASE_URL": database_url}
        with RunningSystem(var, "gateway", "orchestrator", "recorder", env=system_env) as system:

            def bus(t: int, f: list[float], k: list[int]) -> Any:
                return bus_client(system.gateway_url, t, f, k, deadline_s=TURN_TIMEOUT_S)

            await run_level(1, 1, bus)  # warm-up
            await catch_up(system, database_url)
            for level in levels:
                before = await recorded_events(database_url)
                started = time.perf_counter()
                result = await run_level(level, TURNS, bus)
                elapsed = time.perf_counter() - started
                lag, total = await catch_up(system, database_url)
                result["turns_per_s"] = result["turns"] / elapsed
                result["recorder_catch_up_s"] = lag
                result["recorder_events_per_s"] = (total - before) / (elapsed + lag)
                out[str(level)] = result
                print(f"[bench postgres] {label} {level}: {result}", flush=True)
    return out


async def main(args: Any) -> dict[str, Any]:
    levels = [10] if args.quick else [50, 200]
    port = free_port()
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openai_server", "--port", str(port), "--reply", REPLY], cwd=REPO_ROOT
    )
    results: dict[str, Any] = {"turns_per_conversation": TURNS, "databases": {}}
    server = url = ""
    try:
        wait_for_port("127.0.0.1", port, proc=fake)
        with tempfile.TemporaryDirectory() as tmp:
            tenants_file = demo_tenants_with(
                Path(tmp), lift_limits=True, acme={"model": {"provider": "openai", "model": "scripted"}}
            )
            env = {
                "TENANTS_FILE": str(tenants_file),
                "LLM_BASE_URL": f"http://127.0.0.1:{port}/v1",
                "LLM_API_KEY": "bench",
                "LLM_MODEL": "scripted",
                "LOG_LEVEL": "WARNING",
            }
            wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
            if "sqlite" in wanted:
                results["databases"]["sqlite"] = await run_database("sqlite", "sqlite", levels, env)
            if "postgres" in wanted:
                server, url = await fresh_postgres()
                results["databases"]["postgres"] = await run_database("postgres", url, levels, env)
    except Exception as exc:  # Postgres or the system did not come up: report, don't crash the run
        print(f"[bench postgres] failed: {exc!r}", file=sys.stderr)
        results["error"] = repr(exc)
    finally:
        if url:
            await drop_postgres(server, url)
        fake.terminate()
        fake.wait(timeout=10)
    print(render(results))
    return results


def render(results: dict[str, Any]) -> str:
    header = ("database", "conversations", "TTFT p50 ms", "TTFT p99 ms", "tokens/s", "turns/s")
    rows = [(*header, "rec catch-up s", "rec ev/s", "lost clients")]
    for database, levels in results["databases"].items():
        for level, r in levels.items():
            rows.append(
                (
                    database,
                    level,
                    f"{r['ttft']['p50_ms']:.0f}",
                    f"{r['ttft']['p99_ms']:.0f}",
                    f"{r['tokens_per_s']:.0f}",
                    f"{r['turns_per_s']:.1f}",
                    f"{r['recorder_catch_up_s']:.1f}",
                    f"{r['recorder_events_per_s']:.0f}",
                    str(r["failed_clients"]),
                )
            )
    return table(rows)
