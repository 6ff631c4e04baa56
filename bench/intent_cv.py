"""Cross-validated intent accuracy of agent/understanding on the development messages: the rules
alone (no learned model at all), and the whole module (rules, the learned model for the messages
no rule recognises, and its second opinion on the others) with the model fitted out of fold.
Never reads the held-out part.

5-fold GroupKFold; messages whose MiniLM embeddings have cosine >= 0.9 share a group, so a
near-duplicate never sits on both sides of a split. The rules were tuned on every development
message, so their figures are in sample; only the learned model is out of fold. The honest figure
for messages nobody tuned on is each batch's score on arrival, in the batch headers of
tests/data/messages_dev.yaml, and the held-out rows of bench_understanding.

Run: ``python -m bench.intent_cv``; ``python -m bench.intent_cv --write-embeddings`` regenerates
agent/understanding/intent_embeddings.npz after the development messages change.
"""

from __future__ import annotations

import sys

import numpy as np

#: Batches written from the settled intent rules I1-I13 (session 3 of 2026-11-29) start here
RULES_BATCHES_FIRST = 891
NEAR_DUPLICATE_COSINE = 0.9

def _groups(vectors: np.ndarray) -> np.ndarray:
    n = len(vectors)
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    sim = vectors @ vectors.T
    for i, j in zip(*np.nonzero(np.triu(sim >= NEAR_DUPLICATE_COSINE, k=1)), strict=True):
        parent[find(int(i))] = find(int(j))
    return np.array([find(i) for i in range(n)])


def main() -> int:
    if "--write-embeddings" in sys.argv:
        from agent.understanding.intent_model import write_embeddings

        print(write_embeddings())
        return 0
    from sklearn.model_selection import GroupKFold

    from agent.understanding import core, understand
    from agent.understanding.evaluation import load_labelled
    from agent.understanding.intent_model import (
        embed,
        fit,
        load_embedder,
        stored_embeddings,
        training_set,
    )

    dev = load_labelled("dev")
    gold = [set(m["intents"]) for m in dev]
    recent = np.array([int(m["id"][1:]) >= RULES_BATCHES_FIRST for m in dev])
    real_model = core.intent_model
    core.intent_model = lambda wait=True: None  # the rules alone: no model anywhere
    try:
        rules = [set(understand(m["text"]).intent_ids) for m in dev]
    finally:
        core.intent_model = real_model

    texts, labels = training_set()
    vectors = stored_embeddings(texts)
    embedder = load_embedder()
    if vectors is None:
        vectors = embed(embedder, texts).astype(np.float16).astype(np.float32)
    n_dev = len(dev)
    dev_vectors, example_slice = vectors[:n_dev], slice(n_dev, len(texts))
    groups = _groups(dev_vectors)

    whole: list[set[str]] = [set() for _ in dev]
    for train, test in GroupKFold(n_splits=5).split(dev_vectors, groups=groups):
        keep = [int(i) for i in train] + list(range(len(texts)))[example_slice]
        model = fit([texts[i] for i in keep], [labels[i] for i in keep], vectors[keep], embedder)
        core.intent_model = lambda wait=True, model=model: model
        try:
            for i in test:
                whole[i] = set(understand(texts[i]).intent_ids)
        finally:
            core.intent_model = real_model

    def rate(pred, mask=None) -> str:
        ok = np.array([p == g for p, g in zip(pred, gold, strict=True)])
        sel = ok if mask is None else ok[mask]
        return f"{sel.mean():.1%} of {len(sel)}"

    print(f"groups: {len(set(groups))} of {n_dev} development messages")
    print(f"rules only, all dev (tuned on all of it):               {rate(rules)}")
    print(f"rules only, batches from the settled rules (d891-):     {rate(rules, recent)}")
    print(f"rules + learned model (out of fold), all dev:           {rate(whole)}")
    print(f"rules + learned model (out of fold), d891-:             {rate(whole, recent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
