"""Timing helpers every benchmark shares: repeated calls, percentiles, and the row format of
``bench/__main__.py``."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def time_calls(fn: Callable[[], object], runs: int, warm: int = 2) -> list[float]:
    """Milliseconds of ``runs`` calls of ``fn``, after ``warm`` untimed ones."""
    for _ in range(warm):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile, ``q`` in [0, 1]."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency_row(name: str, ms: list[float], target: str, target_ms: float | None = None) -> dict:
    """A table row: median and p95 of ``ms``; ``target_ms`` lets the table judge the median."""
    row = {
        "name": name,
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "runs": len(ms),
        "target": target,
    }
    if target_ms is not None:
        row["target_ms"] = target_ms
    return row
