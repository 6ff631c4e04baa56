"""Scoring ``understand()`` against the labelled messages in ``tests/data/messages_*.yaml``
(the label format is described at the top of messages_heldout.yaml). Used by the bench and tests."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import KIND_UNITS, Understanding

DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "data"
REL_TOL = 1e-3  # "cut by a third" is labelled 0.6667
# PyYAML's libyaml parser when the wheel has it: the labelled messages (read at every cold start,
# to fit the intent model) parse in about 1.1 s instead of 4.5 s, with the same safe constructors
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_labelled(split: str | None = None, data_dir: Path = DATA_DIR) -> list[dict]:
    """The labelled messages of one split, or of all. A split's messages live in
    ``messages_<split>.yaml`` (a test holds every file to it), so the intent model's build at each
    cold start parses only the development file."""
    paths = (
        [data_dir / f"messages_{split}.yaml"] if split else sorted(data_dir.glob("messages_*.yaml"))
    )
    items: list[dict] = []
    for path in paths:
        items.extend(yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or [])
    return [m for m in items if split is None or m["split"] == split]


def expected_quantity(label: dict) -> tuple:
    """A label's quantity as a comparable tuple: kind, value, unit, period, currency, side, low, high."""
    # PyYAML reads "2.5e6" (no exponent sign) as a string, hence float()
    lo = None if label.get("lo") is None else float(label["lo"])
    hi = None if label.get("hi") is None else float(label["hi"])
    value = float(label["v"]) if "v" in label else (lo + hi) / 2
    cur = label.get("c")
    unit = KIND_UNITS[label["k"]].replace("{cur}", cur or "USD")
    return (label["k"], value, unit, label.get("p"), cur, label.get("s"), lo, hi)


def actual_quantity(q) -> tuple:
    return (q.kind, q.value, q.unit, q.period, q.currency, q.side, q.low, q.high)


def _close(a, b) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-9)
    return a == b


def _same_quantity(a: tuple, b: tuple) -> bool:
    return all(_close(x, y) for x, y in zip(a, b, strict=True))


def quantities_match(expected: list[tuple], actual: list[tuple]) -> bool:
    """Exact match of the two multisets (values within REL_TOL)."""
    if len(expected) != len(actual):
        return False
    left = list(actual)
    for e in expected:
        hit = next((k for k, a in enumerate(left) if _same_quantity(e, a)), None)
        if hit is None:
            return False
        left.pop(hit)
    return True


def _norm_name(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())


def names_match(label: dict, u: Understanding) -> bool:
    expected = set(label.get("names") or [])
    unknown = {_norm_name(s) for s in label.get("unknown_names") or []}
    return {n.id for n in u.names} == expected and {
        _norm_name(x.span.text) for x in u.unknown_names
    } == unknown


@dataclass
class Score:
    split: str
    n: int = 0
    intents_ok: int = 0
    quantities_ok: int = 0
    names_ok: int = 0
    pillars_ok: int = 0
    references_ok: int = 0
    failures: list[dict] = field(default_factory=list)

    def rate(self, attr: str) -> float:
        return getattr(self, attr) / self.n if self.n else 0.0


def score(split: str, understand_fn, catalog=None, data_dir: Path = DATA_DIR) -> Score:
    """Message-level exact match of the intent set, the quantity multiset and the name sets."""
    result = Score(split)
    for label in load_labelled(split, data_dir):
        u = understand_fn(label["text"], catalog=catalog)
        result.n += 1
        ok_i = set(u.intent_ids) == set(label["intents"])
        exp_q = [expected_quantity(q) for q in label.get("quantities") or []]
        ok_q = quantities_match(exp_q, [actual_quantity(q) for q in u.quantities])
        ok_n = names_match(label, u)
        ok_p = {p.pillar: p.value for p in u.pillars} == (label.get("pillars") or {})
        ok_r = {r.kind for r in u.references} == set(label.get("references") or [])
        result.intents_ok += ok_i
        result.quantities_ok += ok_q
        result.names_ok += ok_n
        result.pillars_ok += ok_p
        result.references_ok += ok_r
        if not (ok_i and ok_q and ok_n and ok_p and ok_r):
            result.failures.append(
                {
                    "id": label["id"],
                    "text": label["text"],
                    "intents": (None if ok_i else (sorted(label["intents"]), list(u.intent_ids))),
                    "quantities": (
                        None if ok_q else (exp_q, [actual_quantity(q) for q in u.quantities])
                    ),
                    "names": (
                        None
                        if ok_n
                        else (
                            label.get("names"),
                            label.get("unknown_names"),
                            [n.id for n in u.names],
                            [x.span.text for x in u.unknown_names],
                        )
                    ),
                    "pillars": None
                    if ok_p
                    else (label.get("pillars"), {p.pillar: p.value for p in u.pillars}),
                    "references": None
                    if ok_r
                    else (label.get("references"), [r.kind for r in u.references]),
                }
            )
    return result
