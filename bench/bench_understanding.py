"""Understanding stakeholders: intent accuracy, quantity exact-match and name-match accuracy on the
labelled messages (development and held-out parts apart), and parse latency.

Targets on the held-out part: intents, quantities and names >= 95% (message-level exact match).
Latency: a typical chat message <= 50 ms, the issue's budget (the learned model reads every
message of up to 600 characters for the combiner with one MiniLM pass, the fine-tuned encoder's,
~13 ms on a 2-core EPYC (two, with the frozen embedding for the regressions, until session 22);
the rules alone take ~1 ms), a 2,000-character message <= 50 ms (median).

Run alone: ``python -m bench.bench_understanding`` (or ``python -m bench understanding``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.timing import latency_row, time_calls

ROOT = Path(__file__).resolve().parents[1]
ACCURACY_TARGET = 0.95
# (name, first id number, last id number) of each held-out batch
HELDOUT_BATCHES = (
    ("h001-h080, before any parser code", 1, 99),
    ("h701-h825, session 1", 700, 899),
    ("h901-h1000, written before session 2's changes", 900, 1099),
    ("h1101-h1600, session 3, from the settled intent rules", 1100, 1600),
    ("h1601-h2200, session 4, each batch written before the changes that followed it", 1601, 2200),
    ("h2201-h2300, session 5, written before that session's changes", 2201, 2300),
    ("h2301-h2400, session 6, written after that session's changes, never tuned on", 2301, 2400),
    ("h2401-h2500, session 7, never tuned on", 2401, 2500),
    ("h2501-h2600, session 8, never tuned on", 2501, 2600),
    ("h2601-h2700, session 8, after its first changes, never tuned on", 2601, 2700),
    ("h2701-h2800, session 9, never tuned on", 2701, 2800),
    ("h2801-h2900, session 10, never tuned on", 2801, 2900),
    ("h2901-h3000, session 10, after its first changes, never tuned on", 2901, 3000),
    ("h3001-h3100, session 10, after its rules rounds, never tuned on", 3001, 3100),
    ("h3101-h3200, session 10, after its rules rounds, never tuned on", 3101, 3299),
)
SECOND_ANNOTATOR = "second_annotator_d741_d890.yaml"
SECOND_ANNOTATOR_RULES = "second_annotator_session3.yaml"

TYPICAL = "we push about 2.5M tokens a day through gpt-4o, growing 10% monthly. worth fine-tuning llama 3 8b?"


def long_message(chars: int = 2000) -> str:
    """A realistic long turn: several sentences with numbers and names, cut to ``chars``."""
    parts = [
        "Some context from our side: we're a mid-size insurer and most of the traffic is claims triage.",
        "We run ~40k requests a day, ~1,500 tokens each, and half of it is output.",
        "Our bill is $40k a month on GPT-4o mini and finance expects growth of 10% monthly.",
        "Legal says data can't leave our servers, and answers need to be consistent for auditors.",
        "We could rent 8 H100s at $2.49/h or use an A100 80 gig node the infra team already has.",
        "Would a fine-tuned llama 3 8b or mistral 7b beat the API over 3 years, and when do we break even?",
    ]
    text = " ".join(parts)
    while len(text) < chars:
        text += " " + " ".join(parts)
    return text[:chars]


def _accuracy_row(name: str, rate: float, n: int, split: str, targeted: bool) -> dict:
    if not targeted:
        target = "information, no target"
    elif split == "dev":
        target = "development part (tuned on)"
    else:
        target = f">= {ACCURACY_TARGET:.0%}"
    verdict = (
        ("ok" if rate >= ACCURACY_TARGET else "BELOW") if targeted and split == "heldout" else ""
    )
    return {
        "name": name,
        "value": f"{rate:.1%} of {n}",
        "rate": rate,
        "n": n,
        "target": target,
        "verdict": verdict,
    }


def accuracy_rows() -> list[dict]:
    from agent.understanding import understand
    from agent.understanding.evaluation import load_labelled, score

    rows = []
    for split in ("dev", "heldout"):
        s = score(split, understand)
        for attr, label in (
            ("intents_ok", "intent accuracy"),
            ("quantities_ok", "quantity exact-match"),
            ("names_ok", "name-match accuracy"),
            ("pillars_ok", "pillar signals (info)"),
            ("references_ok", "references (info)"),
        ):
            targeted = "info" not in label
            rows.append(
                _accuracy_row(
                    f"understanding {label} [{split}]", s.rate(attr), s.n, split, targeted
                )
            )
    # The held-out part has three batches, each written before the parser changes that followed
    # it and never tuned on; the last one is the honest figure of the module as it stands.
    held = score("heldout", understand)
    labelled = load_labelled("heldout")
    for name, low, high in HELDOUT_BATCHES:
        ids = {m["id"] for m in labelled if low <= int(m["id"][1:]) <= high}
        for attr, label in (("intents", "intent accuracy"), ("quantities", "quantity exact-match")):
            failed = sum(1 for f in held.failures if f["id"] in ids and f[attr] is not None)
            rate = (len(ids) - failed) / len(ids) if ids else 0.0
            rows.append(
                _accuracy_row(f"understanding {label} [heldout, {name}]", rate, len(ids), "heldout", False)
            )
    rows += agreement_rows()
    return rows


def agreement_rows() -> list[dict]:
    """How often two independent annotators gave the same labels: a ceiling on the message-level
    accuracy any parser can show against one annotator's labels."""
    import yaml

    from agent.understanding.evaluation import (
        DATA_DIR,
        expected_quantity,
        load_labelled,
        quantities_match,
    )

    second = yaml.safe_load((DATA_DIR / SECOND_ANNOTATOR).read_text(encoding="utf-8"))
    first = {m["id"]: m for m in load_labelled("dev")}
    pairs = [(first[m["id"]], m) for m in second if m["id"] in first]
    # their intents were 93.3% alike before the intent rules I1-I13; the first labels have been
    # relabelled by those rules since, so intents are compared on the later batches below
    checks = {
        "quantities": lambda a, b: quantities_match(
            [expected_quantity(q) for q in a.get("quantities") or []],
            [expected_quantity(q) for q in b.get("quantities") or []],
        ),
        "names": lambda a, b: set(a.get("names") or []) == set(b.get("names") or []),
    }
    rows = [
        _accuracy_row(
            f"two annotators agree on {what} [dev d741-d890]",
            sum(check(a, b) for a, b in pairs) / len(pairs),
            len(pairs),
            "dev",
            False,
        )
        for what, check in checks.items()
    ]
    later = yaml.safe_load((DATA_DIR / SECOND_ANNOTATOR_RULES).read_text(encoding="utf-8"))
    for split, prefix in (("dev", "d"), ("heldout", "h")):
        part = [m for m in later if m["id"].startswith(prefix)]
        rows.append(
            _accuracy_row(
                f"two annotators agree on intents, by the intent rules [{split}, sessions 3-10 batches]",
                sum(set(m["first"]) == set(m["second"]) for m in part) / len(part),
                len(part),
                split,
                False,
            )
        )
    return rows


def latency_rows() -> list[dict]:
    t0 = time.perf_counter()
    from agent.understanding import default_catalog, understand

    default_catalog()
    first = (time.perf_counter() - t0) * 1000.0
    rows = [
        {
            "name": "understanding: import + catalogue build (once per process)",
            "median_ms": first,
            "p95_ms": first,
            "runs": 1,
            "target": "one-off",
        }
    ]
    rows.append(
        latency_row(
            "understand(): typical message",
            time_calls(lambda: understand(TYPICAL), 200),
            "<= 50 ms (the learned model reads it: one MiniLM pass)",
            50.0,
        )
    )
    text = long_message(2000)
    rows.append(
        latency_row(
            "understand(): 2,000-char message",
            time_calls(lambda: understand(text), 50),
            "<= 50 ms",
            50.0,
        )
    )
    return rows


def import_row() -> dict:
    """A fresh interpreter importing the package: torch and sentence-transformers must stay out."""
    code = (
        "import sys, time; t=time.perf_counter(); import agent.understanding; "
        "print((time.perf_counter()-t)*1000); print(int('torch' in sys.modules or 'sentence_transformers' in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    ms, heavy = out.stdout.split()
    row = {
        "name": "import agent.understanding (fresh process)",
        "median_ms": float(ms),
        "p95_ms": float(ms),
        "runs": 1,
    }
    row.update({"target": "<= 1 s, no torch", "target_ms": 1000.0 if heavy == "0" else 0.0})
    return row


def run() -> list[dict]:
    return [import_row(), *latency_rows(), *accuracy_rows()]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    rows = run()
    for r in rows:
        if "value" in r:
            print(f"{r['name']:<58} {r['value']:>14}  {r['target']} {r['verdict']}")
        else:
            print(
                f"{r['name']:<58} {r['median_ms']:>10.2f} ms  (p95 {r['p95_ms']:.2f}, {r['runs']} runs)  {r['target']}"
            )
    held = [r for r in rows if r.get("verdict") == "BELOW"]
    return 1 if held else 0


if __name__ == "__main__":
    raise SystemExit(main())
