"""Retrieval over a tenant's knowledge base: the index in shared.knowledge (bm25s over simplemma lemmas).

The orchestrator's view of it: ``search_in(tenant_knowledge(tenant), question, provider)`` for
the graph's retrieve node (the tenant's directory plus its uploaded documents, see
shared.knowledge.uploads; hybrid with the provider's embeddings when it has an embedding model,
else BM25); ``tenant_knowledge``, ``tokenize`` and ``coverage`` (on the index) for the offline
answerer. ``search(directory, ...)`` and ``retrieve`` work on a directory alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from shared.events import Source
from shared.knowledge.chunk import Passage
from shared.knowledge.index import (
    MIN_SCORE,
    SYNONYMS,
    KnowledgeBase,
    knowledge_base,
    query_terms,
    retrieve,
    split_markdown,
    tokenize,
)
from shared.knowledge.uploads import tenant_knowledge
from shared.knowledge.vectors import Embed, hybrid_search

log = logging.getLogger(__name__)

__all__ = [
    "MIN_SCORE",
    "SYNONYMS",
    "KnowledgeBase",
    "Passage",
    "knowledge_base",
    "query_terms",
    "retrieve",
    "search",
    "search_in",
    "split_markdown",
    "tenant_knowledge",
    "tokenize",
]


def embedder_of(provider: object) -> tuple[Embed, str] | None:
    """The provider's embedding call and model, if it has an embedding model configured."""
    model = getattr(provider, "embedding_model", None)
    embed = getattr(provider, "embed", None)
    return (embed, model) if model and embed is not None else None


async def search(directory: Path | None, question: str, provider: object, limit: int = 3) -> list[Source]:
    """Hybrid retrieval over ``directory``'s index (see ``search_in``)."""
    return await search_in(knowledge_base(directory), question, provider, limit)


async def search_in(kb: KnowledgeBase, question: str, provider: object, limit: int = 3) -> list[Source]:
    """Hybrid retrieval when the provider embeds (BM25 alone if the endpoint fails), else BM25."""
    embedder = embedder_of(provider)
    if embedder is None:
        return kb.search(question, limit=limit)
    try:
        return await hybrid_search(kb, question, embedder[0], embedder[1], limit=limit)
    except Exception:  # the endpoint is down or refuses embeddings: answer from BM25
        log.warning("embeddings failed; BM25 only for this question", exc_info=True)
        return kb.search(question, limit=limit)
