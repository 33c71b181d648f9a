"""Matched clients for the peers bench: what a visitor does against each system, turn by turn.

ChatKit: one POST per turn answered with server-sent events (threads.create, then
threads.add_user_message on that thread); TTFT is the first assistant text delta.
Switchboard: one session, then one WebSocket per visitor; TTFT is the first message.delta.
Both parse every event as JSON, both time a turn from sending to the end of the reply.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets

from bench.loop import TurnFailed

TURN_TIMEOUT_S = 60.0
# Twenty different questions, one per turn: a visitor asking the same thing again is a signal of
# frustration to the sentiment monitor (which would then ask for a human), not a benchmark.
QUESTIONS = [
    "How do returns work?",
    "What is the warranty on tents?",
    "Do you ship abroad?",
    "Where are your stores?",
    "How long does a refund take?",
    "Can I exchange boots for another size?",
    "How much does return shipping cost?",
    "How do I track my order?",
    "Which sizes do your jackets come in?",
    "Can I change the delivery address of an order?",
    "What are your opening hours?",
    "Is there free delivery over some amount?",
    "Can I give back a present someone bought me?",
    "What is your phone number?",
    "Are clearance items final sale?",
    "How many days until my parcel arrives?",
    "Do Rewards members get extra time?",
    "Can I cancel a purchase?",
    "Does the guarantee cover rips in a sleeping bag?",
    "How do I measure my foot for hiking shoes?",
]


@dataclass
class Tally:
    """What the visitors of one round saw; a turn that did not complete counts as an error."""

    ttft: list[float] = field(default_factory=list)
    whole: list[float] = field(default_factory=list)
    deltas: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    errors: int = 0
    flags: int = 0  # message.flagged frames seen (Switchboard's guard; the scripted reply is grounded)
    failures: list[str] = field(default_factory=list)

    def turn(self, ttft: float | None, whole: float, deltas: int, text: str) -> None:
        self.ttft.append(ttft if ttft is not None else float("nan"))
        self.whole.append(whole)
        self.deltas.append(deltas)
        self.texts.append(text)


Visitor = Callable[[int, Tally], Awaitable[None]]


def chatkit_input(text: str) -> dict[str, Any]:
    return {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}


async def chatkit_visitor(
    url: str, turns: int, tally: Tally, transport: httpx.AsyncBaseTransport | None = None
) -> None:
    async with httpx.AsyncClient(timeout=TURN_TIMEOUT_S, transport=transport) as http:
        thread_id: str | None = None
        for turn in range(turns):
            question = chatkit_input(QUESTIONS[turn % len(QUESTIONS)])
            if thread_id is None:
                body: dict[str, Any] = {"type": "threads.create", "params": {"input": question}}
            else:
                body = {"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": question}}
            sent = time.perf_counter()
            first: float | None = None
            deltas, text = 0, ""
            async with asyncio.timeout(TURN_TIMEOUT_S), http.stream("POST", url, json=body) as response:
                response.raise_for_status()
                async for line in response.aiter_lines():
                    if not line.startswith("data: "):
                        continue
                    event = json.loads(line[6:])
                    kind = event["type"]
                    if kind == "thread.created":
                        thread_id = event["thread"]["id"]
                    elif kind == "thread.item.updated":
                        if event["update"]["type"] == "assistant_message.content_part.text_delta":
                            deltas += 1
                            if first is None:
                                first = time.perf_counter() - sent
                    elif kind == "thread.item.done" and event["item"]["type"] == "assistant_message":
                        text = "".join(part["text"] for part in event["item"]["content"])
                    elif kind == "error":
                        raise TurnFailed(f"error event: {event}")
            if not text:
                raise TurnFailed("the stream ended without an assistant message")
            tally.turn(first, time.perf_counter() - sent, deltas, text)


async def switchboard_visitor(gateway_url: str, turns: int, tally: Tally) -> None:
    async with httpx.AsyncClient(timeout=TURN_TIMEOUT_S) as http:
        response = await http.post(f"{gateway_url}/v1/session", json={"widget_key": "pk_demo_acme"})
        response.raise_for_status()
        token = response.json()["token"]
    url = gateway_url.replace("http://", "ws://") + f"/v1/ws?token={token}"
    async with websockets.connect(url, ping_interval=None, max_size=None) as ws:
        hello = json.loads(await asyncio.wait_for(ws.recv(), TURN_TIMEOUT_S))
        conversation = hello.get("conversation_id")
        for turn in range(turns):
            sent = time.perf_counter()
            await ws.send(
                json.dumps(
                    {"type": "message.send", "client_id": uuid.uuid4().hex, "text": QUESTIONS[turn % len(QUESTIONS)]}
                )
            )
            first: float | None = None
            deltas, seen = 0, []
            try:
                async with asyncio.timeout(TURN_TIMEOUT_S):
                    while True:
                        frame = json.loads(await ws.recv())
                        kind = frame.get("type")
                        seen.append(kind)
                        tally.flags += kind == "message.flagged"
                        if kind == "message.delta":
                            deltas += 1
                            if first is None:
                                first = time.perf_counter() - sent
                        elif kind == "message.completed" and frame.get("role") == "assistant":
                            text = frame.get("text", "")
                            break
                        elif kind in ("error", "message.cancelled"):
                            raise TurnFailed(f"{kind}: {frame}")
            except TimeoutError:
                kinds = sorted(set(seen))
                raise TurnFailed(
                    f"turn {turn + 1}: no assistant message.completed in {TURN_TIMEOUT_S:.0f}s"
                    f" ({deltas} deltas, frames {kinds}, conversation {conversation})"
                ) from None
            tally.turn(first, time.perf_counter() - sent, deltas, text)


async def run_round(visitors: int, turns: int, visitor: Visitor) -> tuple[Tally, float]:
    """``visitors`` at once, ``turns`` each; returns what they saw and the wall time."""
    tally = Tally()
    started = time.perf_counter()
    await asyncio.gather(*(_counted(visitor, turns, tally) for _ in range(visitors)))
    elapsed = time.perf_counter() - started
    tally.errors = visitors * turns - len(tally.whole)
    return tally, elapsed


async def _counted(visitor: Visitor, turns: int, tally: Tally) -> None:
    try:
        await visitor(turns, tally)
    except Exception as exc:  # a failed visitor is counted (its missing turns are errors), not fatal
        tally.failures.append(repr(exc)[:300])
