"""Hybrid retrieval: four rankings of the chunks fused by reciprocal rank.

1. dense, chunk level: the query against each chunk's vector (a Chroma query);
2. dense, sentence level: the query against each sentence (and the heading) of a section, every
   chunk of the section scoring the section's best sentence, because MiniLM was trained to compare
   sentences;
3. dense, question level: the query against the questions a section says it answers (its hidden
   ``<!-- questions`` list, see knowledge.documents), every chunk scoring its section's closest
   question; sections without such a list (most users' documents) are simply not in this ranking;
4. lexical: BM25 over whole sections (title, heading, all their chunks and listed questions), every
   chunk of a section scoring the section's BM25 score.

Rankings 2 to 4 score sections rather than chunks because a citation names a section and the
answer to a question is often spread over the chunks of one. Stakeholders rarely use the corpus's
words ("when do we get our money back" for break-even), which is what the listed questions bridge:
written for every corpus section by writers who never saw the evaluation sets, six per section
moved recall@3 on the dev set (tests/data/retrieval_questions.yaml, 96 questions) from 0.729 to
0.854 and on the first held-out batch (35 questions) from 0.943 to 0.971; six more per section
(other roles and angles) left dev recall@3 there and raised MRR from 0.706 to 0.723, and the
65-question held-out set scored 0.923 (bench/bench_retrieval.py). Measured and
not kept, because they did not help on the dev set: the document title in the embedded chunk
text, a separate heading vector, Rocchio query feedback, misspelling correction against the corpus
vocabulary (it "corrects" real words), 120- or 300-word chunk caps, section-level aggregation of
the chunk-vector ranking, and re-weighting the four rankings (the best grid point gained two dev
questions and lost two held-out ones: noise, so every dense ranking keeps weight 1).

An immutable ``Snapshot`` of the index (texts, metadata, normalised vectors, the BM25 index) is
swapped in whole after each indexing run, so a query running meanwhile sees one consistent state.
Whether the corpus has anything relevant at all is judged on the best chunk-level cosine
similarity (``RELEVANCE_FLOOR``): fused rank scores say which chunk is best, not whether it is good.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.models import Passage

# Reciprocal rank fusion: score = sum of weight / (RRF_K + rank). Cormack et al. (2009) use k=60;
# with ~100 chunks a smaller k lets the top ranks count more. Weights and k were chosen on the dev
# question set (bench/bench_retrieval.py); differences between nearby settings were within one or
# two questions (k 5 to 10, weights 0.5 to 2).
RRF_K = 10
WEIGHTS = {"dense": 1.0, "sentence": 1.0, "lexical": 0.75, "question": 1.0}
CANDIDATES = 20
# Minimum best chunk-level cosine similarity (all-MiniLM-L6-v2, normalised vectors) for the corpus
# to have guidance on a question. Calibrated on tests/data/retrieval_questions.yaml with the
# 16-file corpus: the 6 off-topic questions scored 0.08-0.14, the 96 on-topic ones 0.24-0.76
# (an earlier 94-question set: 0.07-0.13 and 0.225+). The floor sits between the two groups,
# a little nearer the off-topic side so that terse on-topic questions still get passages.
RELEVANCE_FLOOR = 0.18
MAX_QUERY_CHARS = 2_000

_STOPWORDS = frozenset(
    """a an and are as at be but by can could do does for from has have how i if in into is it its
    me my of on or our should so than that the their them then there these they this to us was we
    what when where which who why will with would you your""".split()  # noqa: SIM905 - a word list
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s")


def chunk_embedding_text(section: str, text: str) -> str:
    """What is embedded for a chunk: the heading, stated once more, carries much of its topic."""
    return f"{section}.\n{text}"


def lexical_text(title: str, section: str, text: str) -> str:
    return f"{title}. {section}.\n{text}"


def normalise_query(query: str) -> str:
    """Collapse whitespace and control characters and cap the length; the model reads 256 pieces."""
    text = unicodedata.normalize("NFKC", query or "")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_QUERY_CHARS].strip()


def _stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


def lexical_tokens(text: str) -> list[str]:
    """Lower-cased word stems without stop words, for BM25 (documents and queries alike)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [_stem(w) for w in words if w not in _STOPWORDS]


@dataclass(frozen=True)
class Snapshot:
    """Everything a query needs besides Chroma, for one state of the index."""

    ids: tuple[str, ...]
    texts: tuple[str, ...]
    metadatas: tuple[dict[str, Any], ...]
    vectors: np.ndarray  # (chunks, dim), L2-normalised
    sentence_vectors: np.ndarray  # (sentences, dim)
    sentence_owner: np.ndarray  # (sentences,) index of the chunk each sentence belongs to
    question_vectors: np.ndarray  # (questions, dim): the questions sections say they answer
    question_owner: np.ndarray  # (questions,) index of the chunk each question belongs to
    bm25: Any  # bm25s.BM25 over sections, or None when there are no chunks
    position: dict[str, int]
    chunk_section: np.ndarray  # (chunks,) index of each chunk's (source, section)

    @classmethod
    def from_collection(cls, collection: Any) -> Snapshot:
        got = collection.get(include=["embeddings", "documents", "metadatas"])
        ids, docs, metas, vectors = got["ids"], got["documents"], got["metadatas"], got["embeddings"]
        chunk_rows = sorted(
            (i for i, m in enumerate(metas) if m.get("kind", "chunk") == "chunk"), key=lambda i: ids[i]
        )
        position = {ids[i]: n for n, i in enumerate(chunk_rows)}
        def rows_of(kind: str) -> list[int]:
            return [
                i for i, m in enumerate(metas)
                if m.get("kind") == kind and m.get("chunk_id") in position
            ]

        sentence_rows, question_rows = rows_of("sentence"), rows_of("question")
        dim = len(vectors[0]) if len(ids) else 0

        def stack(rows: list[int]) -> np.ndarray:
            if not rows:
                return np.zeros((0, dim), dtype=np.float32)
            return np.asarray([vectors[i] for i in rows], dtype=np.float32)

        texts = [docs[i] for i in chunk_rows]
        chunk_metas = [metas[i] for i in chunk_rows]
        section_of: dict[tuple[str, str], int] = {}
        section_texts: list[list[str]] = []
        for t, m in zip(texts, chunk_metas, strict=True):
            key = (str(m.get("source", "")), str(m.get("section", "")))
            if key not in section_of:
                section_of[key] = len(section_texts)
                section_texts.append([str(m.get("title", "")), key[1]])
            section_texts[section_of[key]].append(t)
        for i in question_rows:  # a section's questions count as its words for BM25 too
            owner = chunk_metas[position[metas[i]["chunk_id"]]]
            section_texts[section_of[(str(owner.get("source", "")), str(owner.get("section", "")))]].append(
                docs[i]
            )
        chunk_section = np.asarray(
            [section_of[(str(m.get("source", "")), str(m.get("section", "")))] for m in chunk_metas],
            dtype=np.int64,
        )
        bm25 = None
        if chunk_rows:
            import bm25s

            bm25 = bm25s.BM25()
            lexical = [
                lexical_tokens(lexical_text(title, section, "\n".join(body)))
                or ["\x00"]  # bm25s cannot index an empty token list
                for title, section, *body in section_texts
            ]
            bm25.index(lexical, show_progress=False)
        return cls(
            ids=tuple(ids[i] for i in chunk_rows),
            texts=tuple(texts),
            metadatas=tuple(chunk_metas),
            vectors=stack(chunk_rows),
            sentence_vectors=stack(sentence_rows),
            sentence_owner=np.asarray(
                [position[metas[i]["chunk_id"]] for i in sentence_rows], dtype=np.int64
            ),
            question_vectors=stack(question_rows),
            question_owner=np.asarray(
                [position[metas[i]["chunk_id"]] for i in question_rows], dtype=np.int64
            ),
            bm25=bm25,
            position=position,
            chunk_section=chunk_section,
        )

    def __len__(self) -> int:
        return len(self.ids)

    def similarities(self, query_vector: np.ndarray) -> np.ndarray:
        return self.vectors @ query_vector

    def dense_ranking_local(self, query_vector: np.ndarray, limit: int = CANDIDATES) -> list[int]:
        """Chunk-level dense ranking in memory: the fallback when a Chroma query fails mid-rebuild."""
        sims = self.similarities(query_vector)
        return [int(i) for i in np.argsort(-sims, kind="stable")[:limit]]

    def sentence_ranking(self, query_vector: np.ndarray, limit: int = CANDIDATES) -> list[int]:
        """Chunks ranked by their section's best-matching sentence."""
        return self._best_match_ranking(self.sentence_vectors, self.sentence_owner, query_vector, limit)

    def question_ranking(self, query_vector: np.ndarray, limit: int = CANDIDATES) -> list[int]:
        """Chunks ranked by their section's closest listed question (none listed: not ranked)."""
        return self._best_match_ranking(self.question_vectors, self.question_owner, query_vector, limit)

    def _best_match_ranking(
        self, vectors: np.ndarray, owner: np.ndarray, query_vector: np.ndarray, limit: int
    ) -> list[int]:
        if not len(owner):
            return []
        best = np.full(len(self), -1.0, dtype=np.float32)
        np.maximum.at(best, owner, vectors @ query_vector)
        best = self._per_section(best, np.maximum, -1.0)
        return [int(i) for i in np.argsort(-best, kind="stable")[:limit] if best[i] > -1.0]

    def _per_section(self, scores: np.ndarray, combine: Any, empty: float) -> np.ndarray:
        """Each chunk's score replaced by its section's (``combine``: np.maximum, per section)."""
        per_section = np.full(int(self.chunk_section.max()) + 1, empty, dtype=np.float32)
        combine.at(per_section, self.chunk_section, scores)
        return per_section[self.chunk_section]

    def lexical_ranking(self, query: str, limit: int = CANDIDATES) -> list[int]:
        tokens = lexical_tokens(query)
        if self.bm25 is None or not tokens:
            return []
        scores = self.bm25.get_scores(tokens)[self.chunk_section]  # sections' scores, per chunk
        top = np.argsort(-scores, kind="stable")[:limit]
        return [int(i) for i in top if scores[i] > 0]


def fuse(rankings: dict[str, list[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion: score(d) = sum of WEIGHTS[r] / (k + rank of d in r).

    Returned best first, the score divided by its maximum (first in every non-empty ranking), so 1.0
    means unanimous first place.
    """
    scores: dict[int, float] = {}
    for name, ranking in rankings.items():
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + WEIGHTS[name] / (k + rank)
    best_possible = sum(WEIGHTS[name] for name, ranking in rankings.items() if ranking) / (k + 1) or 1.0
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(item, score / best_possible) for item, score in ordered]


def to_passage(snapshot: Snapshot, i: int, score: float, similarity: float) -> Passage:
    meta = snapshot.metadatas[i]
    return Passage(
        id=snapshot.ids[i],
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        section=str(meta.get("section", "")),
        snippet=snapshot.texts[i],
        score=round(float(score), 4),
        similarity=round(float(similarity), 4),
    )
