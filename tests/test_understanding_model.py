"""The learned intent model behind agent/understanding for messages no rule recognises: its shipped
training embeddings, the routing in ``understand()``, determinism and the switch that turns it off.

The model-loading tests import sentence-transformers (about 10 s once per test process)."""

from __future__ import annotations

import numpy as np
import pytest

from agent.understanding import understand
from agent.understanding.evaluation import load_labelled
from agent.understanding.intent_model import (
    COMBINER_FILE,
    EMBEDDINGS_FILE,
    Combiner,
    IntentModel,
    combiner_features,
    embed,
    fit,
    intent_model,
    label_sets,
    load_combiner,
    stored_embeddings,
    training_messages,
    training_set,
)
from agent.understanding.intents import normalise_text
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


def test_written_training_messages_are_labelled_by_the_rules_and_apart_from_the_labelled_set():
    """agent/understanding/intent_training.json (``bench/training_messages.py``): known intents,
    off_topic and greeting_help alone, no repeats, none the text of a labelled message, and none
    of the encoder's alone: the regressions' texts stay the development messages and examples."""
    written = training_messages()
    assert written, "the shipped encoder learns from written training messages"
    keys = [normalise_text(text) for text, _ in written]
    assert len(set(keys)) == len(keys)
    for text, intents in written:
        assert intents and set(intents) <= set(INTENT_IDS), text
        assert len(intents) == 1 or not {"off_topic", "greeting_help"} & set(intents), text
    assert not set(keys) & {normalise_text(m["text"]) for m in load_labelled()}
    texts, _ = training_set()
    both, labels = training_set(written=True)
    assert both == texts + [text for text, _ in written]
    assert labels[len(texts) :] == [intents for _, intents in written]


def test_no_written_training_message_is_near_a_development_message(model):
    """Every 20th written message against the shipped development embeddings (the tool compared
    every one, with the held-out messages too)."""
    texts, _ = training_set()
    dev = stored_embeddings(texts)[: len(load_labelled("dev"))]
    sample = embed(model.embedder, [text for text, _ in training_messages()[::20]])
    assert (sample @ dev.T).max() < 0.9 + 2e-3  # the development vectors are stored in float16


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


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        # the rules alone read these wrongly; the combiner, weighing the model, gets them right
        ("at how many requests a day does self hosting win", {"break_even"}),
        ("explain like im 5 what a token is", {"explain_concept"}),  # the 5 is no assumption
        ("does a 7b still make sense if we only hit 40% utilisation", {"recommend", "what_if"}),
        ("wdym by 'blended rate'", {"explain_concept"}),
    ],
)
def test_the_model_mends_what_the_rules_misread(model, text, intents):
    assert set(understand(text).intent_ids) == intents


def test_shipped_combiner_fits_the_intents_and_its_features():
    combiner = load_combiner()
    assert combiner is not None, f"{COMBINER_FILE.name} is missing or fitted for other intents"
    width = combiner_features(set(), set(), False, {}).shape
    assert combiner.weights.shape == width and combiner.bias.shape == (len(INTENT_IDS),)
    assert np.isfinite(combiner.weights).all() and np.isfinite(combiner.bias).all()
    # the answers it may give: the sets of intents two or more development messages carry
    dev_labels = [m["intents"] for m in load_labelled("dev")]
    assert set(combiner.label_sets) == set(label_sets(dev_labels))
    assert {frozenset({"recommend"}), frozenset({"change_assumption", "recommend"})} <= set(
        combiner.label_sets
    )


def test_label_sets_keep_what_enough_messages_carry_in_a_fixed_order():
    labels = [("what_if", "risk"), ("risk", "what_if"), ("reset",), ("reset",), ("reset",)]
    labels += [("undo",), ("compare", "recommend"), ("compare", "recommend"), ()]
    assert label_sets(labels) == (
        frozenset({"reset"}),
        frozenset({"compare", "recommend"}),
        frozenset({"risk", "what_if"}),
    )
    assert frozenset({"undo"}) in label_sets(labels, min_messages=1)


def test_the_combiner_answers_the_likeliest_set_it_knows():
    sets = (frozenset({"recommend"}), frozenset({"recommend", "what_if"}), frozenset({"reset"}))
    combiner = Combiner(np.zeros((len(INTENT_IDS), 1)), np.zeros(len(INTENT_IDS)), sets)
    # above 0.5 each, three intents no message has carried together: the likeliest known set is
    # recommend + what_if (0.9 * 0.6 * 0.45 against 0.9 * 0.4 * 0.45 without what_if)
    combined = {"recommend": 0.9, "what_if": 0.6, "compare": 0.55}
    assert combiner.likeliest_set(combined) == {"recommend", "what_if"}
    # a weak what_if stays out; nothing above 0.5 still gives the likeliest set
    assert combiner.likeliest_set({"recommend": 0.9, "what_if": 0.3}) == {"recommend"}
    assert combiner.likeliest_set({"reset": 0.2, "recommend": 0.1}) == {"reset"}


class _Scripted(IntentModel):
    """A scripted model: fixed probabilities whatever the message, counting its calls."""

    def __init__(self, **probs: float):
        super().__init__(embedder=None, word_tfidf=None, char_tfidf=None, classifiers=[])
        self.probs = {**dict.fromkeys(INTENT_IDS, 0.01), **probs}
        self.calls = 0

    def probabilities(self, message: str) -> dict[str, float]:
        self.calls += 1
        return dict(self.probs)


def test_combiner_keeps_what_rules_and_model_agree_on(monkeypatch):
    from agent.understanding import core

    sure = _Scripted(reset=0.97)
    monkeypatch.setattr(core, "intent_model", lambda wait=True: sure)
    u = understand("reset everything please")  # a rule's reading the model shares
    assert u.intent_ids == ("reset",)
    assert not u.intents[0].evidence.startswith("intent model")  # the rule's evidence stays
    assert sure.calls == 1  # the message is embedded once


def test_a_rule_reading_the_model_all_but_rules_out_goes(monkeypatch):
    from agent.understanding import core

    # the rules read a verdict and a change; a model sure of the verdict that gives the change 1%:
    # the combiner still keeps both (a stated volume is seldom wrong), MODEL_RULES_OUT drops it
    scripted = _Scripted(recommend=0.95, change_assumption=0.01)
    monkeypatch.setattr(core, "intent_model", lambda wait=True: scripted)
    text = "we use about 2.5 million tokens per day with GPT-4o. Should we fine tune?"
    assert set(understand(text).intent_ids) == {"recommend"}
    assert 0.01 < core.MODEL_RULES_OUT
    monkeypatch.setattr(core, "intent_model", lambda wait=True: None)
    assert set(understand(text).intent_ids) == {"change_assumption", "recommend"}


def test_a_worry_about_the_output_stays_a_risk_whatever_the_model_says(monkeypatch):
    """Rule I11: "what happens if the model <fails>" is risk only; the lead alone is no what-if."""
    from agent.understanding import core

    scripted = _Scripted(risk=0.9, what_if=0.97)
    monkeypatch.setattr(core, "intent_model", lambda wait=True: scripted)
    worry = understand("what happens if the model invents a filing deadline?")
    assert worry.intent_ids == ("risk",)
    # a what-if the rules read stays
    assert "what_if" in understand("what if our volume doubles next year?").intent_ids


def test_a_greeting_and_off_topic_alone_leave_the_greeting():
    """Rule I2 (off-topic is never combined) when the combiner gives exactly those two."""
    from agent.understanding.core import exclusive

    assert exclusive({"greeting_help": 0.6, "off_topic": 0.7}) == {"greeting_help": 0.6}
    assert exclusive({"off_topic": 0.7, "compare": 0.6, "greeting_help": 0.9}) == {"compare": 0.6}
    assert exclusive({"off_topic": 0.7}) == {"off_topic": 0.7}


def test_without_a_combiner_the_rules_answer(monkeypatch):
    from agent.understanding import core

    scripted = _Scripted(off_topic=0.99)
    monkeypatch.setattr(core, "intent_model", lambda wait=True: scripted)
    monkeypatch.setattr(core, "intent_combiner", lambda: None)
    assert understand("reset everything please").intent_ids == ("reset",)


def test_a_question_about_latency_claims_no_pillar(model):
    u = understand("what is the latency of gpt-4o?")
    assert not u.pillars and "pillar_answer" not in u.intent_ids


def test_deterministic(model):
    text = "how could this all fall apart"
    assert understand(text) == understand(text)
    texts, labels = training_set()
    again = fit(texts, labels, model.embedder)
    again.encoder = model.encoder  # the shipped fine-tuned encoder, read from its file
    assert again.probabilities(text) == model.probabilities(text)


def test_the_regressions_read_as_one_product_are_their_predict_proba(model):
    """probability_table multiplies by the regressions' stacked weights instead of calling each
    one's predict_proba (sklearn's checks per call cost more than the product): same numbers."""
    texts = ["should we fine-tune?", "and if volume doubles", "what's LoRA", "x" * 700, ""]
    encoder, model.encoder = model.encoder, None
    try:
        table = model.probability_table(texts)
    finally:
        model.encoder = encoder
    features = model._features(texts)
    for k, clf in enumerate(model.classifiers):
        expected = np.zeros(len(texts)) if clf is None else clf.predict_proba(features)[:, 1]
        assert np.allclose(table[:, k], expected, rtol=1e-9, atol=1e-12), INTENT_IDS[k]
    assert table.shape == (len(texts), len(INTENT_IDS)) and table.min() > 0


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
