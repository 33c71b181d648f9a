"""The peers bench's own parts: the ChatKit baseline answers with the model's reply and history,
CPU is read from /proc, and py-spy samples become hot spots. The bench itself is not run here."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from bench import proc_cpu
from bench.chatkit_baseline import create_app
from bench.peers_clients import Tally, chatkit_visitor
from bench.profile_spy import hot_spots
from shared.settings import REPO_ROOT
from tests.fakes.openai_server import FakeOpenAI, chunk_text

REPLY = "Returns are free within thirty days."


async def test_the_chatkit_baseline_streams_the_model_reply_with_the_thread_history() -> None:
    async with FakeOpenAI(replies=REPLY) as fake:
        transport = httpx.ASGITransport(app=create_app(fake.base_url))
        tally = Tally()
        await chatkit_visitor("http://chatkit/chatkit", 2, tally, transport=transport)
    assert tally.texts == [REPLY, REPLY]
    assert tally.deltas == [len(chunk_text(REPLY))] * 2
    assert all(t > 0 for t in tally.ttft)
    second = fake.requests[1]["messages"]
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert second[2]["content"] == REPLY


def test_cpu_is_read_for_a_process_and_its_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        tree = proc_cpu.descendants(os.getpid())
        assert child.pid in tree
        before = proc_cpu.cpu_s(os.getpid())
        sum(i * i for i in range(3_000_000))
        assert proc_cpu.cpu_s(os.getpid()) > before
    finally:
        child.kill()
        child.wait()
    assert proc_cpu.cpu_s(child.pid) != proc_cpu.cpu_s(child.pid)  # NaN once gone


def test_hot_spots_rank_own_and_total_time_and_leave_waits_out() -> None:
    raw = "\n".join(
        [
            "run (asyncio/runners.py:118);handle (gateway/socket.py:10);send (uvicorn/ws.py:5) 6",
            "run (asyncio/runners.py:118);handle (gateway/socket.py:12);parse_frame (gateway/frames.py:3) 3",
            "run (asyncio/runners.py:118);EpollSelector.select (selectors.py:468) 11",
        ]
    )
    spots = hot_spots(raw)
    assert spots["samples"] == 20
    assert spots["waiting_pct"] == 55.0
    assert spots["own"] == [("uvicorn/ws.py:send", 66.7), ("gateway/frames.py:parse_frame", 33.3)]
    assert spots["total"] == [("gateway/socket.py:handle", 100.0), ("gateway/frames.py:parse_frame", 33.3)]


def test_the_bench_visitor_never_repeats_a_question_and_the_reply_is_grounded() -> None:
    """Else the monitor hands the bench's conversations to a human, or the guard doubts every reply."""
    from bench.peers_clients import QUESTIONS
    from bench.scripted_model import DELTAS, REPLY, grounded_reply, is_full_reply
    from guards.grounding import ground, source_texts
    from guards.sentiment.signals import normalise, repeats
    from orchestrator.providers.openai_provider import sources_block
    from orchestrator.retrieval import retrieve

    earlier: list[list[str]] = []
    for question in QUESTIONS:
        assert not repeats(question, earlier), question
        earlier.append(normalise(question))
    assert DELTAS == 50
    returns = (REPO_ROOT / "deploy/demo/kb/acme/returns.md").read_text()
    for sentence in REPLY.split(". "):
        assert ground(sentence, [returns]).score < 0.5, sentence
    # What Switchboard's turns get: the retrieved passages restated, whole, and grounded in them.
    kb = REPO_ROOT / "deploy/demo/kb/acme"
    for question in QUESTIONS:
        sources = retrieve(kb, question)
        reply = grounded_reply("Answer.\n\n" + sources_block(sources))
        assert is_full_reply(reply), reply
        for sentence in reply.split(". "):
            assert ground(sentence, source_texts(sources)).score == 0.0, (question, sentence)
