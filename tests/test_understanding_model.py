"""The learned intent model behind agent/understanding for messages no rule recognises: its shipped
training embeddings, the routing in ``understand()``, determinism and the switch that turns it off.

The model-loading tests import sentence-transformers (about 10 s once per test process)."""

from __future__ import annotations

import numpy as np
import pytest

from agent.understanding import understand
from agent.understanding.intent_model import (
    EMBEDDINGS_FILE,
    THRESHOLD,
    IntentModel,
    embed,
    fit,
    intent_model,
    stored_embeddings,
    training_set,
)
from agent.understanding.model import INTENT_IDS


def test_shipped_embeddings_belong_to_the_current_training_texts():
    """Edit tests/data/messages_dev.yaml or intents.EXAMPLES, then run
    ``python -m bench.intent_cv --write-embeddings``."""
    texts, labels = training_set()
    vectors = stored_embeddings(texts)
    assert vectors is not None, f"{EMBEDDINGS_FILE.name} is stale"
    assert vectors.shape == (len(texts), 384)  # all-MiniLM-L6-v2 gives 384-dim vectors
    assert len(labels) == len(texts) and all(set(lab) <= set(INTENT_IDS) for lab in labels)
    # normalised at write time; float16 storage keeps the norm within 1e-3
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert stored_embeddings([*texts, "one more message"]) is None


@pytest.fixture(scope="module")
def model():
    m = intent_model()
    assert m is not None, "torch, sentence-transformers and scikit-learn are installed here"
    return m


def test_shipped_embeddings_are_what_the_embedder_gives(model):
    texts, _ = training_set()
    picks = [0, len(texts) // 2, len(texts) - 1]
    fresh = embed(model.embedder, [texts[i] for i in picks])
    assert np.allclose(fresh, stored_embeddings(texts)[picks], atol=2e-3)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # none of these phrasings is in the training texts, and no rule fires on them;
        # labels by the conventions in messages_heldout.yaml
        ("what figures are you working from", "show_assumptions"),
        ("so is a custom one the way to go for us or nah", "recommend"),
        ("can you book me a taxi to the airport", "off_topic"),
    ],
)
def test_messages_no_rule_recognises_go_to_the_model(model, text, intent):
    u = understand(text)
    assert u.intent_ids == (intent,)
    assert u.intents[0].evidence.startswith("intent model")


def test_rule_decisions_do_not_consult_the_model(model):
    u = understand("reset everything please")
    assert u.intent_ids == ("reset",)
    assert not any(i.evidence.startswith("intent model") for i in u.intents)


class _UnsureOfAPillar(IntentModel):
    """A scripted model whose best guess is pillar_answer, well below THRESHOLD."""

    calls = 0

    def probabilities(self, message: str) -> dict[str, float]:
        self.calls += 1
        probs = dict.fromkeys(INTENT_IDS, 0.01)
        probs.update(pillar_answer=0.3, explain_figure=0.2)
        return probs


def test_pillar_answer_is_never_a_mere_best_guess(monkeypatch):
    from agent.understanding import core

    unsure = _UnsureOfAPillar(embedder=None, word_tfidf=None, char_tfidf=None, classifiers=[])
    assert unsure.predict("x")[0] == ("pillar_answer", 0.3) and 0.3 < THRESHOLD
    monkeypatch.setattr(core, "intent_model", lambda wait=True: unsure)
    unsure.calls = 0
    u = understand("what is the latency of gpt-4o?")  # no rule recognises it: the model answers
    assert [i.intent for i in u.intents] == ["explain_figure"]  # the next guess, not a pillar
    assert unsure.calls == 1  # the message is embedded once, whatever the model is unsure of


def test_a_question_about_latency_claims_no_pillar(model):
    u = understand("what is the latency of gpt-4o?")
    assert not u.pillars and "pillar_answer" not in u.intent_ids


def test_deterministic(model):
    text = "how could this all fall apart"
    assert understand(text) == understand(text)
    texts, labels = training_set()
    again = fit(texts, labels, stored_embeddings(texts), model.embedder)
    assert again.probabilities(text) == model.probabilities(text)


def test_switched_off_falls_back_to_the_example_matcher(monkeypatch):
    from tools.settings import get_settings

    monkeypatch.setenv("ADVISOR_INTENT_MODEL", "off")
    get_settings.cache_clear()
    u = understand("what figures are you working from")
    assert u.intents and not any(i.evidence.startswith("intent model") for i in u.intents)


def test_a_deferred_build_leaves_the_rules_to_answer(monkeypatch):
    # while a server's warm-up is about to build the model, a turn gets the rules' reading at once
    from agent.understanding import intent_model as im

    monkeypatch.setattr(im, "_state", {})  # as in a fresh process
    im.defer_build()
    try:
        assert im.intent_model(wait=False) is None
        u = understand("should we fine tune?")
        assert u.intent_ids == ("recommend",)
        assert not any(i.evidence.startswith("intent model") for i in u.intents)
    finally:
        im.allow_build()
    assert "model" not in im._state  # nothing was built on the turn's time
