"""The knowledge base: keeps a ChromaDB index of the corpus and the users' documents up to date, and
answers searches with cited passages.

Heavy libraries (chromadb, llama_index, sentence-transformers/torch, bm25s) are imported inside the
methods that need them, so importing this module costs nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from knowledge.models import IndexReport, RetrievalResult, SkippedFile
from tools.settings import Settings, get_settings

log = logging.getLogger(__name__)

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
DOCUMENTS_PREFIX = "documents/"
ADD_BATCH = 1_000
# How long a first search waits for another thread that is loading or building the index.
LOAD_WAIT_S = 2.0

Progress = Callable[[int, int, str], None]


class KnowledgeBase:
    """Index and search the corpus plus the users' documents.

    Args:
        settings: where the index lives, which ChromaDB and which embedder; default the process's.
        corpus_dir: the Markdown corpus; default ``knowledge/corpus``.
        relevance_floor: best cosine similarity below which a search has no guidance.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        corpus_dir: Path | None = None,
        relevance_floor: float | None = None,
    ):
        from knowledge.retrieval import RELEVANCE_FLOOR

        self.settings = settings or get_settings()
        self.corpus_dir = Path(corpus_dir) if corpus_dir else CORPUS_DIR
        self.relevance_floor = RELEVANCE_FLOOR if relevance_floor is None else relevance_floor
        self._index_lock = threading.Lock()
        self._collection: Any = None
        self._snapshot: Any = None  # knowledge.retrieval.Snapshot, swapped whole

    # --- embedder -----------------------------------------------------------------------------
    def _embedder(self):
        from knowledge.embeddings import get_embedder

        return get_embedder(self.settings)

    def _embedder_key(self) -> str:
        from knowledge.embeddings import embedder_key

        return embedder_key(self.settings)

    def warm_up(self) -> None:
        """Load the embedder (torch, the model) and the index ahead of the first question.

        Safe to run in a background thread while the server starts.
        """
        self._embedder().get_query_embedding("warm up")
        if self._snapshot is None and self._index_lock.acquire(blocking=False):
            try:
                self._load_snapshot()
            except Exception as exc:  # noqa: BLE001 - a missing or broken index is built by ensure_index
                log.info("index not loaded during warm-up: %s", exc)
            finally:
                self._index_lock.release()

    # --- indexing -----------------------------------------------------------------------------
    def sources(self) -> list[tuple[str, Path]]:
        """Every file to index, as (source name used in citations, path), corpus first."""
        found: list[tuple[str, Path]] = []
        if self.corpus_dir.is_dir():
            found += [(p.name, p) for p in sorted(self.corpus_dir.glob("*.md")) if p.is_file()]
        documents = self.settings.resolved_documents_dir
        if documents.is_dir():
            for path in sorted(documents.rglob("*")):
                rel = path.relative_to(documents)
                if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                    found.append((DOCUMENTS_PREFIX + rel.as_posix(), path))
        return found

    def ensure_index(self, progress: Progress | None = None, *, rebuild: bool = False) -> IndexReport:
        """Bring the index in line with the files: embed new and changed files, drop removed ones.

        Files whose content hash matches the index are left alone, so this is cheap when nothing
        changed (the embedder is not even loaded). ``rebuild`` starts from an empty index.
        ``progress(done, total, source)`` is called as each file is handled.
        """
        with self._index_lock:
            return self._ensure_index(progress, rebuild=rebuild)

    def _ensure_index(self, progress: Progress | None, *, rebuild: bool) -> IndexReport:
        from knowledge.documents import (
            UnreadableDocument,
            chunk_document,
            content_hash,
            read_document,
        )
        from knowledge.retrieval import Snapshot
        from knowledge.store import open_store

        started = time.perf_counter()
        self._collection = None
        store = open_store(self.settings, self._embedder_key(), rebuild=rebuild)
        collection = store.collection
        report = IndexReport(rebuilt=store.rebuilt, messages=list(store.messages))

        indexed: dict[str, str] = {}
        for meta in collection.get(include=["metadatas"])["metadatas"] or []:
            indexed[str(meta.get("source"))] = str(meta.get("content_hash"))

        files = self.sources()
        total = len(files)
        if progress:
            progress(0, total, "")
        present: set[str] = set()
        for done, (source, path) in enumerate(files, 1):
            present.add(source)
            try:
                digest = content_hash(path.read_bytes())
            except OSError as exc:
                digest = None
                reason = f"cannot read the file: {exc.strerror or exc}"
            if digest is not None and indexed.get(source) == digest:
                report.unchanged += 1
            else:
                try:
                    if digest is None:
                        raise UnreadableDocument(reason)
                    chunks = chunk_document(read_document(path, source))
                    if not chunks:
                        raise UnreadableDocument("no text to index")
                except UnreadableDocument as exc:
                    report.skipped.append(SkippedFile(source=source, reason=str(exc)))
                    if source in indexed:  # its old text no longer matches the file
                        collection.delete(where={"source": source})
                        report.removed.append(source)
                else:
                    self._replace_chunks(collection, source, chunks)
                    report.embedded_chunks += len(chunks)
                    (report.updated if source in indexed else report.added).append(source)
            if progress:
                progress(done, total, source)

        for source in sorted(set(indexed) - present):
            collection.delete(where={"source": source})
            report.removed.append(source)

        snapshot = Snapshot.from_collection(collection)
        self._collection = collection
        self._snapshot = snapshot
        report.total_chunks = len(snapshot)
        report.duration_s = round(time.perf_counter() - started, 3)
        return report

    def _replace_chunks(self, collection: Any, source: str, chunks: list) -> None:
        """Embed a file's chunks, their sentences and their sections' questions (as LlamaIndex nodes)
        and swap them in for the file's old ones."""
        from llama_index.core.schema import TextNode
        from llama_index.vector_stores.chroma import ChromaVectorStore

        from knowledge.documents import chunk_sentences
        from knowledge.retrieval import chunk_embedding_text

        sentences = [
            (f"{c.id}:{n}", text, c, "sentence")
            for c in chunks
            for n, text in enumerate(chunk_sentences(c))
        ] + [(f"{c.id}:q{n}", text, c, "question") for c in chunks for n, text in enumerate(c.questions)]
        vectors = self._embedder().get_text_embedding_batch(
            [chunk_embedding_text(c.section, c.text) for c in chunks] + [s[1] for s in sentences]
        )
        nodes = [
            TextNode(id_=c.id, text=c.text, metadata=c.metadata(), embedding=v)
            for c, v in zip(chunks, vectors[: len(chunks)], strict=True)
        ]
        nodes += [
            TextNode(
                id_=sentence_id,
                text=text,
                metadata={
                    "kind": kind,
                    "chunk_id": c.id,
                    "source": c.source,
                    "content_hash": c.content_hash,
                },
                embedding=v,
            )
            for (sentence_id, text, c, kind), v in zip(sentences, vectors[len(chunks) :], strict=True)
        ]
        collection.delete(where={"source": source})
        store = ChromaVectorStore(chroma_collection=collection)
        for start in range(0, len(nodes), ADD_BATCH):  # Chroma caps the size of one add
            store.add(nodes[start : start + ADD_BATCH])

    def _load_snapshot(self) -> None:
        from knowledge.retrieval import Snapshot
        from knowledge.store import open_store

        store = open_store(self.settings, self._embedder_key())
        self._collection = store.collection
        self._snapshot = Snapshot.from_collection(store.collection)

    # --- retrieval ----------------------------------------------------------------------------
    def search(self, query: str, k: int = 4) -> RetrievalResult:
        """The ``k`` passages that best answer ``query``, best first, with their citations.

        Returns ``no_guidance=True`` and no passages when the query is empty or nothing in the
        corpus is similar enough (below ``relevance_floor``). Never raises while indexing runs.
        """
        import numpy as np

        from knowledge.retrieval import fuse, normalise_query, to_passage

        text = normalise_query(query)
        if not text or not any(ch.isalnum() for ch in text):
            return RetrievalResult(query=text, no_guidance=True, message="The question is empty.")
        k = max(1, min(int(k), 20))
        snapshot = self._snapshot
        if snapshot is None:
            # First search of this instance: load the index, or build it when there is none.
            if not self._index_lock.acquire(timeout=LOAD_WAIT_S):
                return self._busy(text)
            try:
                if self._snapshot is None:  # another thread may have loaded it while we waited
                    self._load_snapshot()
                if not len(self._snapshot):
                    self._ensure_index(None, rebuild=False)
            except Exception as exc:  # noqa: BLE001 - report, don't crash the conversation
                return RetrievalResult(
                    query=text, no_guidance=True, message=f"The knowledge base is unavailable: {exc}"
                )
            finally:
                self._index_lock.release()
            snapshot = self._snapshot
        if not len(snapshot):
            return RetrievalResult(
                query=text, no_guidance=True, message="The knowledge base has no documents."
            )

        vector = np.asarray(self._embedder().get_query_embedding(text), dtype=np.float32)
        similarities = snapshot.similarities(vector)
        best = float(similarities.max())
        if best < self.relevance_floor:
            return RetrievalResult(
                query=text,
                no_guidance=True,
                best_similarity=round(best, 4),
                message=f"Nothing in the knowledge base is close to this question "
                f"(best similarity {best:.2f} < floor {self.relevance_floor:.2f}).",
            )
        fused = fuse(
            {
                "dense": self._dense_ranking(snapshot, vector),
                "sentence": snapshot.sentence_ranking(vector),
                "question": snapshot.question_ranking(vector),
                "lexical": snapshot.lexical_ranking(text),
            }
        )
        passages = []
        seen_sections: set[tuple[str, str]] = set()
        for i, score in fused:
            passage = to_passage(snapshot, i, score, similarities[i])
            if (passage.source, passage.section) in seen_sections:
                continue  # one passage per section: the best chunk of it, room for other sections
            seen_sections.add((passage.source, passage.section))
            passages.append(passage)
            if len(passages) == k:
                break
        return RetrievalResult(
            query=text, passages=passages, no_guidance=False, best_similarity=round(best, 4)
        )

    def _dense_ranking(self, snapshot: Any, vector: Any) -> list[int]:
        from knowledge.retrieval import CANDIDATES

        collection = self._collection
        if collection is not None:
            try:
                found = collection.query(
                    query_embeddings=[vector.tolist()],
                    n_results=CANDIDATES,
                    where={"kind": "chunk"},
                    include=["distances"],
                )
                positions = [snapshot.position.get(i) for i in found["ids"][0]]
                ranked = [p for p in positions if p is not None]
                if ranked:
                    return ranked
            except Exception as exc:  # noqa: BLE001 - the collection is being rebuilt; rank locally
                log.debug("chroma query failed, ranking in memory: %s", exc)
        return snapshot.dense_ranking_local(vector)

    @staticmethod
    def _busy(text: str) -> RetrievalResult:
        return RetrievalResult(
            query=text,
            no_guidance=True,
            message="The knowledge base is being indexed; ask again in a moment.",
        )
