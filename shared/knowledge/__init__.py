"""A business's knowledge: documents converted to markdown, chunked by structure, indexed for search.

- convert: uploaded bytes (text, markdown, HTML, PDF) -> markdown (pypdf, markdownify);
- chunk: markdown -> passages, one per section (headings), long sections in bounded,
  overlapping windows of whole paragraphs and sentences;
- index: BM25 (bm25s) over simplemma lemmas in the document's language (lingua detects it),
  a directory's index cached until one of its files changes.

An admin upload calls ``convert`` then ``chunk``; the orchestrator calls ``retrieve`` (through
orchestrator.retrieval).
"""

from shared.knowledge.chunk import Passage, chunk
from shared.knowledge.convert import UnsupportedDocument, convert
from shared.knowledge.index import KnowledgeBase, knowledge_base, retrieve

__all__ = ["KnowledgeBase", "Passage", "UnsupportedDocument", "chunk", "convert", "knowledge_base", "retrieve"]
