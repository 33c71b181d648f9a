"""Retrieval over a tenant's knowledge base: the index in shared.knowledge (bm25s over simplemma lemmas).

The orchestrator's view of it: ``retrieve(directory, question)`` for the graph's retrieve node;
``knowledge_base``, ``tokenize`` and ``coverage`` (on the index) for the offline answerer.
"""

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

__all__ = [
    "MIN_SCORE",
    "SYNONYMS",
    "KnowledgeBase",
    "Passage",
    "knowledge_base",
    "query_terms",
    "retrieve",
    "split_markdown",
    "tokenize",
]
