"""The fine-tuned intent encoder (agent/understanding/intent_encoder.py): the shipped weights belong
to today's training texts and load into a copy of MiniLM, training learns and is seeded, and the
intent model averages it with its regressions.

Loads sentence-transformers (about 10 s once per test process); the training test fine-tunes
MiniLM on eight sentences (a few seconds)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from agent.understanding.evaluation import load_labelled
from agent.understanding.intent_encoder import ENCODER_FILE, load_encoder, train_encoder
from agent.understanding.intent_model import (
    ENCODER_WEIGHT,
    embed,
    intent_model,
    stored_embeddings,
    texts_digest,
    training_set,
)
from agent.understanding.model import INTENT_IDS


def test_shipped_encoder_belongs_to_the_current_training_texts():
    """Edit tests/data/messages_dev.yaml or intents.EXAMPLES, then run
    ``python -m bench.intent_cv --write-encoder`` (about 4.5 hours on a 2 GHz Xeon) and
    ``--write-combiner``; after adding written training messages (``bench.training_messages``),
    ``--write-encoder --keep-folds`` is enough."""
    texts, _ = training_set(written=True)
    with np.load(ENCODER_FILE) as data:
        assert str(data["meta.digest"]) == texts_digest(texts), f"{ENCODER_FILE.name} is stale"
        assert str(data["meta.intents"]) == ",".join(INTENT_IDS)


@pytest.fixture(scope="module")
def model():
    m = intent_model()
    assert m is not None and m.encoder is not None, "the shipped encoder loads with the model"
    return m


def test_shipped_encoder_reads_the_messages_it_learned_from(model):
    dev = load_labelled("dev")[::200]
    table = model.encoder.probability_table([m["text"] for m in dev])
    read = [{INTENT_IDS[j] for j in np.nonzero(row >= 0.5)[0]} for row in table]
    right = np.mean([r == set(m["intents"]) for r, m in zip(read, dev, strict=True)])
    assert right >= 0.9  # in sample; a head that did not load reads next to none of them


def test_the_shared_embedder_is_left_as_shipped(model):
    texts, _ = training_set()
    shared = model.embedder[0].auto_model
    assert model.encoder.bert is not shared
    assert model.encoder.bert.encoder is not shared.encoder  # the tuned layers are a copy
    assert model.encoder.bert.embeddings is shared.embeddings  # never trained: shared, not copied
    assert not shared.training  # so their dropout stays off
    assert np.allclose(embed(model.embedder, texts[:2]), stored_embeddings(texts)[:2], atol=2e-3)


def test_an_encoder_trained_on_other_texts_is_not_loaded(model):
    assert load_encoder(model.embedder, "the digest of other texts") is None


def test_training_learns_is_seeded_and_survives_a_round_trip(model, tmp_path):
    texts = [
        "reset everything",
        "start over please",
        "back to the defaults",
        "wipe the scenario clean",
        "what if our volume doubles",
        "and if prices drop by half?",
        "suppose we grow 10% a month",
        "what if we had three engineers",
    ]
    labels = [("reset",)] * 4 + [("what_if",)] * 4
    first = train_encoder(model.embedder, texts * 4, labels * 4, "toy")
    assert first.bert.embeddings is not model.embedder[0].auto_model.embeddings  # trained apart
    again = train_encoder(model.embedder, texts * 4, labels * 4, "toy")
    probs = first.probability_table(texts)
    assert np.array_equal(probs, again.probability_table(texts))  # seeded: the same weights
    r, w = INTENT_IDS.index("reset"), INTENT_IDS.index("what_if")
    assert (probs[:4, r] > 0.5).all() and (probs[:4, w] < 0.5).all()
    assert (probs[4:, w] > 0.5).all() and (probs[4:, r] < 0.5).all()
    path = first.save(tmp_path / "encoder.npz", trained="today")
    loaded = load_encoder(model.embedder, "toy", path)
    assert loaded is not None
    assert np.allclose(loaded.probability_table(texts), probs, atol=2e-3)  # stored as float16


class _Fixed:
    """A scripted encoder: the same probability for every intent of every text."""

    def __init__(self, p: float):
        self.p = p

    def probability_table(self, texts: list[str]) -> np.ndarray:
        return np.full((len(texts), len(INTENT_IDS)), self.p)


def test_the_model_averages_the_encoder_with_its_regressions(model):
    texts = ["how could this all fall apart", "is self hosting cheaper for us?"]
    alone = dataclasses.replace(model, encoder=None).probability_table(texts)
    both = dataclasses.replace(model, encoder=_Fixed(0.8)).probability_table(texts)
    assert np.allclose(both, (1 - ENCODER_WEIGHT) * alone + ENCODER_WEIGHT * 0.8)
