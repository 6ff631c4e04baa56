"""Accuracy of agent/understanding on the labelled stakeholder messages (tests/data/messages_*.yaml).

Message-level exact match of the intent set, the quantity multiset and the name sets, reported
separately for the development part (tuned on) and the held-out part (never tuned on). The
issue's target is 95% on the held-out part; CI fails below 90% on either part."""

from __future__ import annotations

import pytest

from agent.understanding import understand
from agent.understanding.evaluation import load_labelled, score

# The CI floor, on every part and figure (held-out intents measured 93.8% of 2,356 on
# 2026-12-01, session 20; two annotators agree on only ~96-97% of intent sets).
FLOOR = 0.90


def test_labelled_set_shape():
    items = load_labelled()
    texts = [m["text"].strip().lower() for m in items]
    assert len(items) >= 220
    assert len(set(texts)) == len(texts), "no two messages alike"
    assert len({m["id"] for m in items}) == len(items)
    held = [m for m in items if m["split"] == "heldout"]
    assert len(held) / len(items) >= 0.25  # the issue: at least a quarter held out
    assert {m["split"] for m in items} == {"dev", "heldout"}
    for split in ("dev", "heldout"):  # each split's messages in its own file, and only there
        assert load_labelled(split) == [m for m in items if m["split"] == split]
    with_numbers = sum(bool(m.get("quantities")) for m in items)
    assert 0.25 * len(items) <= with_numbers <= 0.75 * len(items)  # with and without numbers


def test_the_fast_yaml_parser_reads_the_labels_as_the_safe_one_does(monkeypatch):
    import yaml

    from agent.understanding import evaluation

    fast = load_labelled()
    monkeypatch.setattr(evaluation, "_LOADER", yaml.SafeLoader)
    assert fast == load_labelled()


@pytest.fixture(scope="module")
def scores():
    return {split: score(split, understand) for split in ("dev", "heldout")}


@pytest.mark.parametrize("split", ["dev", "heldout"])
@pytest.mark.parametrize(
    ("attr", "what"),
    [
        ("intents_ok", "intent accuracy"),
        ("quantities_ok", "quantity exact-match"),
        ("names_ok", "name-match accuracy"),
    ],
)
# The first of these reads all 9,204 messages (the scores fixture): ~5 min on a 2.5 GHz EPYC, ~12 min
# on a 2 GHz Xeon, where one MiniLM pass takes ~35 ms; beyond the suite's 600 s per test
@pytest.mark.timeout(2400)
def test_accuracy_floor(scores, split, attr, what):
    s = scores[split]
    rate = s.rate(attr)
    failures = [f["id"] for f in s.failures if f[attr.removesuffix("_ok")] is not None]
    assert rate >= FLOOR, f"{what} on {split}: {rate:.1%} (failed: {failures})"
