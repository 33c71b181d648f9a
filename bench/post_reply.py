"""Post-reply workers: CPU per turn, this checkout against a baseline revision's workers, in one run.

Each side: its own nats-server and SQLite database, this checkout's recorder, and the
workers (`python -m orchestrator.workers`) of one side as their own process, with the
offline digest. `conversations` visitors each have `turns` quick turns (message.user then
message.completed); the side is done when every task is done and every conversation's digest
covers its last reply. CPU is the workers process's utime + stime from /proc, from the moment
its durables exist. The baseline digests after every reply; this checkout at the first reply,
then once the conversation is quiet (SUMMARY_IDLE_S, 1 s here) or every N replies.

Run alone: `python -m bench.post_reply [--quick] [--baseline REV] [--profile]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import nats
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import select

from bench.recorder import BASELINE, cpu_s, database, export, py_spy, until
from bench.stats import table
from services.nats_embedded import EmbeddedNats
from shared.bus import ensure_streams, publish_headers
from shared.db import Conversation, make_engine, make_sessionmaker
from shared.events import Event, MessageCompleted, UserMessage
from shared.settings import REPO_ROOT
from shared.subjects import CONV_STREAM
from shared.tasks import TASK_STREAM, ensure_task_stream

DURABLES = {CONV_STREAM: ["post-reply", "recorder-conv"], TASK_STREAM: ["post-reply-summarize"]}
IDLE_S = 1.0


def turn(conv: str, n: int) -> list[Event]:
    user_id = f"{conv[:10]}-u{n}"
    return [
        UserMessage(
            tenant_id="acme", conversation_id=conv, message_id=user_id, client_id=f"c{n}", visitor_id=f"v{conv[:10]}",
            text=f"Can I return the running shoes I bought {n} days ago, and how long does the refund take?",
        ),
        MessageCompleted(
            tenant_id="acme", conversation_id=conv, message_id=f"{conv[:10]}-a{n}", role="assistant", reply_to=user_id,
            text="Unused items can be returned within 30 days of delivery for a full refund. Refunds reach the "
            "original payment method within 5 business days. Sale items cannot be returned.",
        ),
    ]  # fmt: skip


async def durables_exist(js: JetStreamContext) -> bool:
    try:
        for stream, durables in DURABLES.items():
            for durable in durables:
                await js.consumer_info(stream, durable)
    except NotFoundError:
        return False
    return True


def service(module: str, root: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", module], cwd=root, env={**env, "PYTHONPATH": str(root)})


async def run_side(root: Path, db_url: str, args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="sb-bench-pr-") as tmp, EmbeddedNats(store_dir=Path(tmp) / "js") as server:
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await ensure_streams(js)
        await ensure_task_stream(js)
        env = {
            **os.environ, "NATS_URL": server.url, "DATABASE_URL": db_url, "ENVIRONMENT": "test",
            "SECRET_KEY": "bench-secret-0123456789", "LOG_LEVEL": "WARNING", "SUMMARY_IDLE_S": str(IDLE_S),
            "TENANTS_FILE": str(REPO_ROOT / "deploy" / "demo" / "tenants.yaml"),
        }  # fmt: skip
        recorder = service("services.recorder", REPO_ROOT, env | {"SB_SERVICE_NAME": "recorder"})
        workers = service("orchestrator.workers", root, env | {"SB_SERVICE_NAME": "workers"})
        engine = make_engine(db_url)
        sessions = make_sessionmaker(engine)
        convs = [uuid.uuid4().hex for _ in range(args.conversations)]

        last_reply: dict[str, int] = {}

        async def digested() -> bool:
            async with sessions() as s:
                result = await s.execute(select(Conversation.id, Conversation.summary_seq))
                rows = {row.id: row.summary_seq for row in result}
            return all(rows.get(conv, 0) >= seq for conv, seq in last_reply.items())

        try:
            await until(lambda: durables_exist(js), 60)
            started_cpu, started = cpu_s(workers.pid), time.monotonic()
            spy = None
            if getattr(args, "profile", False) and py_spy():
                out = REPO_ROOT / "var" / f"post-reply-{root.name}.folded"
                out.parent.mkdir(exist_ok=True)
                spy = subprocess.Popen([py_spy(), "record", "-f", "raw", "-o", str(out), "--pid", str(workers.pid)])

            async def visitor(conv: str) -> None:
                for n in range(args.turns):
                    for event in turn(conv, n):
                        ack = await js.publish(event.subject, event.model_dump_json().encode(),
                                               headers=publish_headers(event), stream=CONV_STREAM)  # fmt: skip
                    last_reply[conv] = ack.seq

            await asyncio.gather(*(visitor(c) for c in convs))
            await until(digested, 300)
            used, wall = cpu_s(workers.pid) - started_cpu, time.monotonic() - started
        finally:
            for proc in (workers, recorder):
                proc.terminate()
                proc.wait(30)
            if spy is not None:
                spy.wait(30)
            await engine.dispose()
            await nc.close()
    turns = args.conversations * args.turns
    return {"turns": turns, "cpu_s": round(used, 3), "cpu_ms_per_turn": round(used / turns * 1000, 3),
            "wall_s": round(wall, 2)}  # fmt: skip


async def main(args: argparse.Namespace) -> dict[str, Any]:
    for name, quick, full in (("conversations", 10, 50), ("turns", 5, 10)):
        if getattr(args, name, None) is None:
            setattr(args, name, quick if args.quick else full)
    baseline = getattr(args, "baseline", None) or BASELINE
    side: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="sb-bench-base-") as tmp:
        old_root = export(baseline, Path(tmp))
        for label, root in (("old", old_root), ("new", REPO_ROOT)):
            async with database("sqlite", Path(tmp)) as url:
                side[label] = await run_side(root, url, args)
    ratio = side["new"]["cpu_ms_per_turn"] / side["old"]["cpu_ms_per_turn"]
    print(table([
        ("turns", "old ms/turn", "new ms/turn", "new/old", "old wall s", "new wall s"),
        (str(side["new"]["turns"]), f"{side['old']['cpu_ms_per_turn']:.3f}", f"{side['new']['cpu_ms_per_turn']:.3f}",
         f"x{ratio:.2f}", f"{side['old']['wall_s']:.2f}", f"{side['new']['wall_s']:.2f}"),
    ]))  # fmt: skip
    return {"baseline": baseline, **side, "ratio": round(ratio, 3)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.post_reply", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--baseline", help=f"revision of the old workers (default {BASELINE})")
    parser.add_argument("--conversations", type=int)
    parser.add_argument("--turns", type=int)
    parser.add_argument("--profile", action="store_true", help="py-spy collapsed stacks into var/post-reply-*.folded")
    asyncio.run(main(parser.parse_args()))
