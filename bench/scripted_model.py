"""The scripted model of the peers bench: tests/fakes/openai_server.py answering by who asks.

A visitor's turn gets 50 deltas: the passages it was given, restated (Switchboard), or REPLY,
text taken from the acme knowledge base (the ChatKit peer, which retrieves nothing); the
guard's LLM judge gets "supported" and the workers' digest a small JSON digest, as a real
model would give them. Zero latency.

As a process: ``python -m bench.scripted_model --port 8099``
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import uvicorn

from guards.judge import PROMPT as JUDGE_PROMPT
from orchestrator.workers.llm import PROMPT as DIGEST_PROMPT
from tests.fakes.openai_server import Script, chunk_text, create_app

REPLY = (
    "You can return unused items within 60 days of delivery for a full refund. "
    "Return shipping costs $6.50 and is deducted from the refund. "
    "Refunds go back to the original payment method within 5 business days after the returned item "
    "reaches our warehouse. Gift cards are refunded as store credit."
)
DELTAS = len(chunk_text(REPLY))
JUDGEMENT = json.dumps({"supported": True, "score": 0.0, "reason": "stated in the passages", "correction": ""})
DIGEST = json.dumps(
    {"title": "Returns", "summary": "The visitor asked about returns and refunds.", "tags": ["returns"]}
)


def grounded_reply(system: str) -> str:
    """Like a real model's answer, from the passages it was given: their first DELTAS words.

    Switchboard sends its retrieved passages in the system prompt; the reply restates them, so
    the guard checks a grounded answer (as it would in production) rather than doubting every
    sentence. Same length as REPLY: the same number of deltas as the ChatKit peer's replies.
    """
    snippets = [line.split(": ", 1)[1] for line in system.splitlines() if line.startswith("[") and ": " in line]
    words = " ".join(snippets).split()
    if not words:
        return REPLY
    while len(words) < DELTAS:
        words += words
    return " ".join(words[:DELTAS]).rstrip(".,;:") + "."


def is_full_reply(text: str) -> bool:
    """A reply the visitor received whole: every one of the DELTAS words, up to the final stop."""
    return len(chunk_text(text)) == DELTAS and text.endswith(".")


def answer(messages: list[dict[str, Any]]) -> str:
    system = str(messages[0].get("content", "")) if messages else ""
    if system == JUDGE_PROMPT:
        return JUDGEMENT
    if system == DIGEST_PROMPT:
        return DIGEST
    return grounded_reply(system) if "Sources:\n" in system else REPLY


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(create_app(Script(answer)), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
