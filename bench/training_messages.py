"""Add written training messages to agent/understanding/intent_training.json.

Input: JSON-lines files of ``{"text": ..., "intents": [...]}`` written by the rules I1-I13 (header
of tests/data/messages_heldout.yaml) by writers who saw neither the parser nor the labelled set
(their brief: bench/data/training_messages_brief.md).
Each message is checked (known intents; off_topic and greeting_help alone) and dropped when its
text, normalised as the encoder reads it ("pls" and "please" alike), is a labelled message's or
repeats one already kept, or when its MiniLM embedding, as written or normalised, has cosine
>= 0.9 with a labelled message's, development or held-out (so no held-out message is learned, even
reworded; the held-out texts are compared, never printed). The kept messages are appended to the
file in input order.

Run: ``python -m bench.training_messages WRITTEN.jsonl... --date YYYY-MM-DD --by "who wrote them"``;
then ``python -m bench.intent_cv --write-encoder --keep-folds`` (only the encoder learns them; the
full ``--write-encoder`` then ``--write-combiner`` also retrains the folds, ~4.5 hours).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from agent.understanding.intent_model import TRAINING_FILE, embed, load_embedder
from agent.understanding.intents import normalise_text
from agent.understanding.model import INTENT_IDS

NEAR_DUPLICATE_COSINE = 0.9
ABOUT = (
    "Messages written only to train the intent encoder (agent/understanding/intent_encoder.py), "
    "not part of the labelled set the module is scored on; intents by the rules I1-I13 (header of "
    "tests/data/messages_heldout.yaml), from writers who saw neither the parser nor the labelled "
    "messages. Added with python -m bench.training_messages, which drops repeats and every "
    "message that is a labelled message or within MiniLM cosine 0.9 of one (as written or "
    "normalised), development or held-out."
)
ALONE = frozenset({"off_topic", "greeting_help"})


def _checked(path: Path) -> list[tuple[str, list[str]]]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        if not isinstance(item, dict) or set(item) != {"text", "intents"}:
            raise SystemExit(f"{path}:{n}: not a {{text, intents}} object: {line[:120]}")
        text, intents = item["text"].strip(), sorted(set(item["intents"]))
        if not text or not intents or set(intents) - set(INTENT_IDS):
            raise SystemExit(f"{path}:{n}: not a message with known intents: {line[:120]}")
        if len(intents) > 1 and ALONE & set(intents):
            raise SystemExit(f"{path}:{n}: {'/'.join(ALONE & set(intents))} stands alone")
        out.append((text, intents))
    return out


def _render(header: dict, messages: list) -> str:
    """One message per line, so a batch reads as a diff of added lines."""
    head = json.dumps(header, ensure_ascii=False, indent=1)[:-2]
    rows = ",\n".join("  " + json.dumps(m, ensure_ascii=False) for m in messages)
    return f'{head},\n "messages": [\n{rows}\n ]\n}}\n'


def main() -> int:
    from agent.understanding.evaluation import load_labelled

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--date", required=True)
    parser.add_argument("--by", required=True)
    args = parser.parse_args()

    data = (
        json.loads(TRAINING_FILE.read_text(encoding="utf-8"))
        if TRAINING_FILE.exists()
        else {"about": ABOUT, "batches": [], "messages": []}
    )
    seen = {normalise_text(text) for text, _ in data["messages"]}
    labelled = [m["text"] for m in load_labelled()]
    labelled_keys = {normalise_text(text) for text in labelled}
    offered = [m for path in args.files for m in _checked(path)]
    fresh, same = [], 0
    for text, intents in offered:
        key = normalise_text(text)  # what the encoder reads ("pls" and "please" alike)
        same += key in labelled_keys
        if key not in seen and key not in labelled_keys:
            seen.add(key)
            fresh.append((text, intents))
    print(
        f"embedding {len(fresh)} offered and {len(labelled)} labelled messages...", file=sys.stderr
    )
    embedder = load_embedder()
    nearest = np.zeros(len(fresh))
    for form in (str, normalise_text):  # as written and as the encoder reads them
        new = embed(embedder, [form(t) for t, _ in fresh])
        old = embed(embedder, [form(t) for t in labelled])
        for i in range(0, len(new), 512):
            cos = (new[i : i + 512] @ old.T).max(axis=1)
            nearest[i : i + 512] = np.maximum(nearest[i : i + 512], cos)
    kept = [m for m, cos in zip(fresh, nearest, strict=True) if cos < NEAR_DUPLICATE_COSINE]
    batch = {
        "date": args.date,
        "by": args.by,
        "offered": len(offered),
        "a_labelled_message": same,
        "repeated": len(offered) - len(fresh) - same,
        "near_a_labelled_message": len(fresh) - len(kept),
        "kept": len(kept),
    }
    data["batches"].append(batch)
    data["messages"].extend([t, i] for t, i in kept)
    header = {k: v for k, v in data.items() if k != "messages"}
    TRAINING_FILE.write_text(_render(header, data["messages"]), encoding="utf-8")
    print(json.dumps(batch), TRAINING_FILE, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
