"""Hybrid retrieval: BM25 and embeddings from the tenant's OpenAI-compatible endpoint, fused by rank.

Used when an embedding model is configured (``LLM_EMBEDDING_MODEL`` next to ``LLM_BASE_URL``).
Passages are embedded on the first question after an index is built, as "title\\n\\ntext", in
batches; vectors are kept in this process by (model, text hash), so a changed file re-embeds
only its changed passages. The question is embedded once per search.

Ranks are fused with reciprocal rank fusion (RRF, k = 60) over the passages each side finds
relevant: BM25 at or above MIN_SCORE, cosine similarity at or above MIN_SIMILARITY. A passage
neither finds relevant is never returned, so "nothing relevant -> I don't know" holds.

Not yet: the vectors are not stored in the database (pgvector / sqlite-vec); a restarted
service embeds its tenants' passages again on their first question.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable

import numpy as np

from shared.events import Source
from shared.knowledge.index import MIN_SCORE, KnowledgeBase

Embed = Callable[[list[str]], Awaitable[list[list[float]]]]
# Cosine similarity at which a passage counts as relevant by meaning alone (OpenAI's
# text-embedding-3 models put unrelated help-center text around 0.1-0.25).
MIN_SIMILARITY = 0.35
RRF_K = 60
BATCH = 64
_MAX_CACHED = 200_000
_VECTORS: dict[tuple[str, str], np.ndarray] = {}
_LOCKS: dict[str, asyncio.Lock] = {}


def _key(model: str, text: str) -> tuple[str, str]:
    return model, hashlib.sha256(text.encode()).hexdigest()


def _unit(vector: list[float]) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(array))
    return array / norm if norm else array


def passage_text(kb: KnowledgeBase, index: int) -> str:
    passage = kb.passages[index]
    return f"{passage.title}\n\n{passage.text}"


async def passage_vectors(kb: KnowledgeBase, embed: Embed, model: str) -> np.ndarray:
    """One unit vector per passage of ``kb`` (rows in passage order), embedding those not seen yet."""
    texts = [passage_text(kb, i) for i in range(len(kb.passages))]
    async with _LOCKS.setdefault(model, asyncio.Lock()):
        missing = list(dict.fromkeys(t for t in texts if _key(model, t) not in _VECTORS))
        if len(_VECTORS) + len(missing) > _MAX_CACHED:
            _VECTORS.clear()
            missing = list(dict.fromkeys(texts))
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            for text, vector in zip(batch, await embed(batch), strict=True):
                _VECTORS[_key(model, text)] = _unit(vector)
        return np.stack([_VECTORS[_key(model, t)] for t in texts])


async def hybrid_search(
    kb: KnowledgeBase,
    query: str,
    embed: Embed,
    model: str,
    limit: int = 3,
    min_score: float = MIN_SCORE,
    min_similarity: float = MIN_SIMILARITY,
) -> list[Source]:
    """The best passages for ``query`` by BM25 and by meaning, fused; scores are the fused RRF scores."""
    if not kb.passages:
        return []
    matrix = await passage_vectors(kb, embed, model)
    [query_vector] = await embed([query])
    similarity = matrix @ _unit(query_vector)
    lexical = [p.id for s, p in kb.score(query) if s >= min_score]
    semantic = [kb.passages[i].id for i in np.argsort(-similarity, kind="stable") if similarity[i] >= min_similarity]
    fused: dict[str, float] = {}
    for ranking in (lexical, semantic):
        for rank, pid in enumerate(ranking):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
    by_id = {p.id: p for p in kb.passages}
    best = sorted(fused.items(), key=lambda item: item[1], reverse=True)[:limit]
    return [by_id[pid].source(score) for pid, score in best]
