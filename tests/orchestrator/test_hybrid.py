"""Hybrid retrieval (BM25 + embeddings from the same OpenAI-compatible endpoint) against the fake server."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.inprocess import stream_turn
from orchestrator.providers import OfflineProvider, OpenAIProvider
from orchestrator.retrieval import search
from shared.knowledge import KnowledgeBase, chunk, knowledge_base
from shared.knowledge.vectors import hybrid_search
from shared.tenants import Tenant
from tests.fakes.openai_server import FakeOpenAI

REFUNDS = "# Payments\n\n## Reimbursements\nReimbursements reach the original card within five business days.\n"
HOURS = "# Stores\n\n## Opening hours\nStores open daily from 9 am to 8 pm.\n"


def concepts(text: str) -> list[float]:
    """A fake model that knows "money back" and "reimbursement" mean the same."""
    lowered = text.lower()
    return [
        1.0 if ("money back" in lowered or "reimburse" in lowered) else 0.0,
        1.0 if ("open" in lowered or "hours" in lowered) else 0.0,
        0.1,
    ]


def base() -> KnowledgeBase:
    return KnowledgeBase(chunk(REFUNDS, "payments") + chunk(HOURS, "stores"))


async def test_embeddings_find_what_the_words_miss() -> None:
    kb = base()
    question = "When do I get my money back?"
    assert kb.search(question) == []  # no shared word: BM25 alone finds nothing
    async with FakeOpenAI(embed=concepts) as fake:
        provider = OpenAIProvider(fake.base_url, None, "chat", embedding_model="embed-1")
        sources = await hybrid_search(kb, question, provider.embed, "embed-1")
        assert [s.id for s in sources] == ["payments#reimbursements"]
        # Both sides agree on a lexical match: it is first, by a fused score above a single side's.
        both = await hybrid_search(kb, "What are the opening hours?", provider.embed, "embed-1")
        await provider.aclose()
    assert both[0].id == "stores#opening-hours"
    assert both[0].score > sources[0].score
    assert {r["model"] for r in fake.script.embedding_requests} == {"embed-1"}


async def test_nothing_relevant_either_way_is_still_nothing() -> None:
    async with FakeOpenAI(embed=concepts) as fake:
        provider = OpenAIProvider(fake.base_url, None, "chat", embedding_model="embed-2")
        assert await hybrid_search(base(), "What is the capital of France?", provider.embed, "embed-2") == []
        await provider.aclose()


async def test_passages_are_embedded_once_and_the_question_each_time() -> None:
    kb = base()
    async with FakeOpenAI() as fake:  # hashed bag of words
        provider = OpenAIProvider(fake.base_url, None, "chat", embedding_model="embed-3")
        await hybrid_search(kb, "opening hours", provider.embed, "embed-3")
        await hybrid_search(kb, "reimbursements", provider.embed, "embed-3")
        # A rebuilt index of the same text embeds nothing again.
        await hybrid_search(base(), "hours", provider.embed, "embed-3")
        await provider.aclose()
    inputs = [r["input"] for r in fake.script.embedding_requests]
    assert inputs[0] == [f"{p.title}\n\n{p.text}" for p in kb.passages]
    assert inputs[1:] == [["opening hours"], ["reimbursements"], ["hours"]]


async def test_search_falls_back_to_bm25_when_the_endpoint_fails(kb_dir: Path) -> None:
    # Nothing listens on this port: the embedding request fails, BM25 answers.
    provider = OpenAIProvider("http://127.0.0.1:9/v1", None, "chat", embedding_model="embed-4", timeout_s=2)
    sources = await search(kb_dir, "What does express shipping cost?", provider)
    await provider.aclose()
    assert sources[0].id == "shipping#shipping-options-and-costs"


async def test_without_an_embedding_model_search_is_bm25(kb_dir: Path) -> None:
    assert await search(kb_dir, "What does express shipping cost?", OfflineProvider()) == knowledge_base(kb_dir).search(
        "What does express shipping cost?"
    )


@pytest.mark.parametrize("embedding_model", ["embed-5", None])
async def test_a_turn_on_the_model_embeds_the_question_only_with_an_embedding_model(
    acme: Tenant, embedding_model: str | None
) -> None:
    async with FakeOpenAI(replies=["Express costs $14.95."]) as fake:
        provider = OpenAIProvider(fake.base_url, None, "chat", embedding_model=embedding_model)
        chunks = [c async for c in stream_turn(acme, "What does express shipping cost?", provider)]
        await provider.aclose()
    assert "".join(chunks) == "Express costs $14.95."
    assert "$14.95" in fake.requests[0]["messages"][0]["content"]  # the passage reached the prompt
    asked = [r["input"] for r in fake.script.embedding_requests]
    if embedding_model is None:
        assert asked == []
    else:
        assert asked[-1] == ["What does express shipping cost?"]
