"""The advisor's knowledge base: a cited corpus indexed in ChromaDB, searched by hybrid retrieval.

Importing the package is cheap; chromadb, llama_index and the embedding model load on first use.
"""

from knowledge.base import KnowledgeBase
from knowledge.models import IndexReport, Passage, RetrievalResult, SkippedFile

__all__ = ["IndexReport", "KnowledgeBase", "Passage", "RetrievalResult", "SkippedFile"]
