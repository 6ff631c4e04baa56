"""The grounding check: every monetary figure, percentage and count in an answer must come from a
calculator result of the turn or from the user's own words.

Figures are compared by value, not by spelling ($1,750 = 1750.0 = $1.75k; 25% = 0.25), within the
precision the answer displays. Calculator results are walked as JSON: a number under a key naming
money (``*_usd``, ``cost``, ``price``...) grounds money figures, one under a key naming a share
(``*_pct``, ``growth``, ``probability``...) grounds percentages, and any number grounds a plain count.
Retrieved passages never ground a figure: they are data, and may carry injected text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["money", "percent", "count"]

_MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3,
    "m": 1e6, "mn": 1e6, "mm": 1e6, "million": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
    "t": 1e12, "trillion": 1e12,
}  # fmt: skip

_FIGURE = re.compile(
    r"""
    (?P<cur>(?:US\$|\$|€|£|USD\s?|EUR\s?|GBP\s?))?
    (?P<num>\d+(?:\.\d+)?[eE][+-]?\d+|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
    (?:\s?(?P<suf>thousand|million|billion|trillion|bn|mn|mm|[kKmMbBtT])(?![A-Za-z]))?
    (?P<pct>\s?%|\s?percent\b)?
    (?P<cur2>\s?(?:USD|dollars?)\b)?
    """,
    re.VERBOSE,
)

_MONEY_KEYS = ("usd", "cost", "price", "spend", "total", "npv", "saving", "bill", "budget", "eur")
_PERCENT_KEYS = (
    "pct", "percent", "share", "growth", "fraction", "probability", "rate", "mfu", "discount",
    "ratio", "utilization", "premium",
)  # fmt: skip

FLAG = "[figure removed: not computed by the advisor]"
SOURCES_PREFIX = "Sources: "


@dataclass(frozen=True)
class Figure:
    """A figure as written in a text, with its normalised value and display precision."""

    text: str
    start: int
    end: int
    value: float
    kind: Kind
    tolerance: float


@dataclass
class Evidence:
    """The values a turn's answer may state, by kind."""

    money: list[float] = field(default_factory=list)
    percent: list[float] = field(default_factory=list)
    count: list[float] = field(default_factory=list)

    def add(self, value: float, kind: Kind) -> None:
        if not math.isfinite(value):
            return
        value = abs(value)  # figures are read without their sign ("−$4,000", "saves $4,000")
        {"money": self.money, "percent": self.percent, "count": self.count}[kind].append(value)
        if kind != "count":
            self.count.append(value)

    def extend_from_text(self, text: str) -> None:
        for fig in extract_figures(text, skip_markup=False):
            self.add(fig.value, fig.kind)

    def extend_from_json(self, data: object, key: str = "") -> None:
        """Walk a calculator result; the key path decides what kind of figure each number grounds."""
        if isinstance(data, dict):
            for k, v in data.items():
                self.extend_from_json(v, f"{key}.{k}".lower())
        elif isinstance(data, (list, tuple)):
            for v in data:
                self.extend_from_json(v, key)
        elif isinstance(data, bool) or data is None:
            return
        elif isinstance(data, (int, float)):
            leaf = key.rsplit(".", 1)[-1]
            is_money = (any(w in leaf for w in _MONEY_KEYS) or "_usd" in key) and not (
                "token" in leaf and "usd" not in leaf and "price" not in leaf
            )  # "month_1_total_tokens" is a count
            if data == 0 and is_money:
                # Zero amounts abound in results (unused lines, the API's gap to itself) and would
                # ground any "$0": a zero cost must come from the user's words or a result's text.
                return
            if is_money:
                self.add(float(data), "money")
            elif any(w in leaf for w in _PERCENT_KEYS):
                self.add(float(data), "percent")
                self.add(float(data) * 100.0, "percent")
            else:
                self.add(float(data), "count")
            if leaf.endswith("_b"):  # sizes in billions ("params_b": 70) ground "70B"
                self.add(float(data) * 1e9, "count")
            if leaf.endswith("months") and data % 12 == 0:  # a 36-month horizon is "3 years"
                self.add(float(data) / 12.0, "count")
        elif isinstance(data, str):
            self.extend_from_text(data)

    def grounds(self, fig: Figure) -> bool:
        pool = {"money": self.money, "percent": self.percent, "count": self.count}[fig.kind]
        if fig.kind == "percent":
            candidates = [fig.value, fig.value / 100.0]
        else:
            candidates = [fig.value]
        for c in candidates:
            tol = fig.tolerance if c == fig.value else fig.tolerance / 100.0
            if any(abs(v - c) <= tol for v in pool):
                return True
        return False


def _precision(num: str, multiplier: float, value: float) -> float:
    digits = num.replace(",", "")
    if "e" in digits.lower():
        mantissa, exponent = digits.lower().split("e")
        decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
        return 0.5 * 10.0 ** (int(exponent) - decimals) * multiplier + 1e-9 * abs(value)
    if "." in digits:
        decimals = len(digits.split(".", 1)[1])
        return 0.5 * 10.0**-decimals * multiplier + 1e-9 * abs(value)
    stripped = digits.rstrip("0")
    trailing = len(digits) - len(stripped) if stripped else 0
    tol = 0.5 * multiplier
    if value >= 1000 and trailing:
        tol = max(tol, min(0.5 * 10.0**trailing * multiplier, 0.01 * abs(value)))
    return tol + 1e-9 * abs(value)


def _is_markup(text: str, start: int, end: int) -> bool:
    """Citation markers [1], list ordinals '1.' and unit phrases 'per 1M' are not figures."""
    before = text[max(0, start - 6) : start]
    after = text[end : end + 1]
    if before.endswith("[") and after == "]":
        return True
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip() in ("", "-", "*", "#", "##", "###") and after == "." and (
        end + 1 >= len(text) or text[end + 1] in " \n"
    ):
        return True
    return bool(re.search(r"(per|/)\s?\$?$", before, re.IGNORECASE))


def extract_figures(text: str, *, skip_markup: bool = True) -> list[Figure]:
    """The monetary figures, percentages and counts written in ``text``, normalised.

    >>> [(f.value, f.kind) for f in extract_figures("API: $1.75k a month, 25% growth, 8 GPUs")]
    [(1750.0, 'money'), (25.0, 'percent'), (8.0, 'count')]
    """
    figures: list[Figure] = []
    for m in _FIGURE.finditer(text):
        start, end = m.span()
        if skip_markup and text[text.rfind("\n", 0, start) + 1 :].startswith(SOURCES_PREFIX):
            continue  # the list of cited titles and sections
        num_start = m.start("num")
        # "gpt-4o", "H100", "llama-3-8b", "v2": digits glued to a name are not figures.
        prev = text[num_start - 1] if num_start > 0 else ""
        prev2 = text[num_start - 2] if num_start > 1 else ""
        if not m.group("cur") and (prev.isalpha() or prev == "_" or (prev in "-." and prev2.isalnum())):
            continue
        nxt = text[end] if end < len(text) else ""
        glued = nxt.isalpha() or nxt == "_" or (nxt == "." and text[end + 1 : end + 2].isdigit())
        if glued and not m.group("pct") and not m.group("cur2"):
            continue
        if prev == ":" and prev2.isdigit() and not m.group("cur"):
            continue  # the "1" of a "3:1" ratio
        if skip_markup and _is_markup(text, start, end):
            continue
        num = m.group("num")
        suffix = (m.group("suf") or "").lower()
        multiplier = _MULTIPLIERS.get(suffix, 1.0)
        value = float(num.replace(",", "")) * multiplier
        if m.group("pct"):
            kind: Kind = "percent"
        elif m.group("cur") or m.group("cur2"):
            kind = "money"
        else:
            kind = "count"
        figures.append(
            Figure(m.group(0), start, end, value, kind, _precision(num, multiplier, value))
        )
    return figures


@dataclass(frozen=True)
class GroundingReport:
    answer: str
    ungrounded: tuple[Figure, ...]

    @property
    def ok(self) -> bool:
        return not self.ungrounded


def build_evidence(tool_results: Iterable[object], user_texts: Iterable[str]) -> Evidence:
    """Evidence from calculator results (JSON text or objects) and the user's messages."""
    evidence = Evidence()
    for result in tool_results:
        if isinstance(result, str):
            try:
                result = json.loads(result)
            except ValueError:
                evidence.extend_from_text(result)
                continue
        evidence.extend_from_json(result)
    for text in user_texts:
        evidence.extend_from_text(text)
    return evidence


def check_answer(answer: str, evidence: Evidence, *, remove: bool = False) -> GroundingReport:
    """Find the figures of ``answer`` that nothing grounds; with ``remove``, replace them by a flag."""
    bad = tuple(f for f in extract_figures(answer) if not evidence.grounds(f))
    if remove and bad:
        out, last = [], 0
        for f in bad:
            out.append(answer[last : f.start])
            out.append(FLAG)
            last = f.end
        out.append(answer[last:])
        answer = "".join(out)
    return GroundingReport(answer=answer, ungrounded=bad)
