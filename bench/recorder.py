"""Recorder: CPU per recorded event, this checkout against the one-message-at-a-time recorder, in one run.

Each side runs `python -m services.recorder` as its own process against its own nats-server
and a fresh database (SQLite, and the local Postgres when it answers). The old side is the
recorder of a baseline revision (`--baseline`, default the last one that fetched one event
at a time), exported with `git archive` and run from that tree. CPU is the process's
utime + stime from /proc, counted from the moment its durables exist until every event is
acked, so imports and migration are left out.

Two loads, each `conversations` x `turns` turns of four events (message.user, message.created,
message.completed on SB_CONV; sentiment.scored on SB_OPS):
- live: conversations publish their turns concurrently while the recorder runs;
- backlog: everything is published first (a recorder that was down), then it starts.

Run alone: `python -m bench.recorder [--quick] [--baseline REV] [--profile]`
(`--profile` writes py-spy collapsed stacks of each side to var/recorder-*.folded).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nats
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import pool, text

from bench.stats import table
from services.nats_embedded import EmbeddedNats
from shared.bus import ensure_streams, publish_headers
from shared.db.engine import make_engine
from shared.db.migrate import upgrade_head
from shared.events import Event, MessageCompleted, MessageCreated, SentimentScored, Source, UserMessage
from shared.settings import REPO_ROOT
from shared.subjects import CONV_STREAM, OPS_STREAM, STREAM_OF

BASELINE = "00e92c7"  # the recorder before batching: one event per fetch and per transaction
DURABLES = {CONV_STREAM: "recorder-conv", OPS_STREAM: "recorder-ops"}
POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ANSWER = (
    "Unused items can be returned within 30 days of delivery for a full refund. Sale items cannot be returned. "
    "Refunds reach the original payment method within 5 business days. Anything else I can help with?"
)
SOURCES = [Source(id="returns", title="Returns", snippet=ANSWER[:160])]


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def turn_events(conv: str, n: int) -> list[Event]:
    user_id, reply_id = f"{conv[:10]}-u{n}", f"{conv[:10]}-a{n}"
    return [
        UserMessage(
            tenant_id="acme", conversation_id=conv, message_id=user_id, client_id=f"c{n}", visitor_id=f"v{conv[:10]}",
            text=f"Can I return the shoes I bought {n} days ago?",
        ),
        MessageCreated(tenant_id="acme", conversation_id=conv, message_id=reply_id, role="assistant", reply_to=user_id),
        MessageCompleted(
            tenant_id="acme", conversation_id=conv, message_id=reply_id, role="assistant", reply_to=user_id,
            text=ANSWER, sources=SOURCES,
        ),
        SentimentScored(tenant_id="acme", conversation_id=conv, message_id=user_id, score=0.1, mood=0.1),
    ]  # fmt: skip


async def publish(js: JetStreamContext, event: Event) -> None:
    await js.publish(
        event.subject, event.model_dump_json().encode(), headers=publish_headers(event), stream=STREAM_OF[event.channel]
    )


async def publish_load(js: JetStreamContext, conversations: int, turns: int) -> int:
    async def one(conv: str) -> None:
        for n in range(turns):
            for event in turn_events(conv, n):
                await publish(js, event)

    await asyncio.gather(*(one(uuid.uuid4().hex) for _ in range(conversations)))
    return conversations * turns * 4


async def durables_exist(js: JetStreamContext) -> bool:
    try:
        for stream, durable in DURABLES.items():
            await js.consumer_info(stream, durable)
    except NotFoundError:
        return False
    return True


async def all_acked(js: JetStreamContext) -> bool:
    for stream, durable in DURABLES.items():
        last = (await js.stream_info(stream)).state.last_seq
        info = await js.consumer_info(stream, durable)
        if info.ack_floor.stream_seq < last or info.num_ack_pending or info.num_pending:
            return False
    return True


async def until(check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Expected {check.__name__} within {timeout}s")
        await asyncio.sleep(0.01)


def export(revision: str, into: Path) -> Path:
    """The tree of ``revision`` (git archive), to run the old recorder from."""
    archive = into / "baseline.tar"
    subprocess.run(["git", "-C", str(REPO_ROOT), "archive", "-o", str(archive), revision], check=True)
    root = into / "baseline"
    with tarfile.open(archive) as tar:
        tar.extractall(root, filter="data")
    return root


@contextlib.asynccontextmanager
async def database(kind: str, workdir: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir}/bench-{uuid.uuid4().hex[:6]}.db"
        await upgrade_head(url)
        yield url
        return
    schema = f"sbbench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES, poolclass=pool.NullPool)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    try:
        await upgrade_head(url)
        yield url
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def run_side(root: Path, db_url: str, load: str, args: argparse.Namespace, label: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="sb-bench-rec-") as tmp, EmbeddedNats(store_dir=Path(tmp) / "js") as server:
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await ensure_streams(js)
        env = {
            **os.environ, "NATS_URL": server.url, "DATABASE_URL": db_url, "ENVIRONMENT": "test",
            "SECRET_KEY": "bench-secret-0123456789", "SB_SERVICE_NAME": "recorder", "PYTHONPATH": str(root),
            "LOG_LEVEL": "WARNING",
        }  # fmt: skip
        events = 0
        if load == "backlog":
            events = await publish_load(js, args.conversations, args.turns)
        command = [sys.executable, "-m", "services.recorder"]
        proc = subprocess.Popen(command, cwd=root, env=env)
        spy = None
        try:
            await until(lambda: durables_exist(js), 60)
            started_cpu, started = cpu_s(proc.pid), time.monotonic()
            if args.profile and py_spy():
                out = REPO_ROOT / "var" / f"recorder-{label}.folded"
                out.parent.mkdir(exist_ok=True)
                spy = subprocess.Popen([py_spy(), "record", "-f", "raw", "-o", str(out), "--pid", str(proc.pid)])
            if load == "live":
                events = await publish_load(js, args.conversations, args.turns)
            await until(lambda: all_acked(js), 300)
            used, wall = cpu_s(proc.pid) - started_cpu, time.monotonic() - started
        finally:
            proc.terminate()
            proc.wait(30)
            if spy is not None:
                spy.wait(30)
            await nc.close()
    return {"events": events, "cpu_s": round(used, 3), "cpu_ms_per_event": round(used / events * 1000, 3),
            "wall_s": round(wall, 2)}  # fmt: skip


async def postgres_up() -> bool:
    admin = make_engine(POSTGRES, poolclass=pool.NullPool)
    try:
        async with admin.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except OSError:
        return False
    finally:
        await admin.dispose()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    for name, quick, full in (("conversations", 10, 50), ("turns", 5, 10)):
        if getattr(args, name, None) is None:
            setattr(args, name, quick if args.quick else full)
    args.profile = getattr(args, "profile", False)
    baseline = getattr(args, "baseline", None) or BASELINE
    backends = ["sqlite"] + (["postgres"] if await postgres_up() else [])
    backends = [b for b in backends if b in (getattr(args, "backends", None) or backends)]
    results: dict[str, Any] = {"baseline": baseline, "conversations": args.conversations, "turns": args.turns}
    rows = [("backend", "load", "events", "old ms/event", "new ms/event", "new/old", "old wall s", "new wall s")]
    with tempfile.TemporaryDirectory(prefix="sb-bench-base-") as tmp:
        old_root = export(baseline, Path(tmp))
        for backend in backends:
            for load in ("live", "backlog"):
                side: dict[str, dict[str, float]] = {}
                for label, root in (("old", old_root), ("new", REPO_ROOT)):
                    async with database(backend, Path(tmp)) as url:
                        side[label] = await run_side(root, url, load, args, f"{backend}-{load}-{label}")
                ratio = side["new"]["cpu_ms_per_event"] / side["old"]["cpu_ms_per_event"]
                results[f"{backend}/{load}"] = {**side, "ratio": round(ratio, 3)}
                rows.append((
                    backend, load, str(side["new"]["events"]), f"{side['old']['cpu_ms_per_event']:.3f}",
                    f"{side['new']['cpu_ms_per_event']:.3f}", f"x{ratio:.2f}", f"{side['old']['wall_s']:.2f}",
                    f"{side['new']['wall_s']:.2f}",
                ))  # fmt: skip
                print(table(rows[-1:]), flush=True)
    print(table(rows))
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.recorder", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--baseline", help=f"revision of the old recorder (default {BASELINE})")
    parser.add_argument("--conversations", type=int)
    parser.add_argument("--turns", type=int)
    parser.add_argument("--backends", nargs="*", help="some of sqlite, postgres (default: both when Postgres answers)")
    parser.add_argument("--profile", action="store_true", help="py-spy flame graphs of each side into var/")
    asyncio.run(main(parser.parse_args()))
