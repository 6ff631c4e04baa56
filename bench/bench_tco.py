"""Cost engine timings: the full five-path TCO, a 10,000-sample Monte Carlo, the tornado, and the
cold start of ``advisor tco``. Targets on a 2-core machine: 5 ms, 200 ms, 1.5 s.

Run alone: ``python -m bench tco``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(fn: Callable[[], object], runs: int, warm: int = 2) -> list[float]:
    for _ in range(warm):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def _row(name: str, ms: list[float], target: str, target_ms: float) -> dict:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "name": name, "median_ms": statistics.median(ms), "p95_ms": p95, "runs": len(ms),
        "target": target, "target_ms": target_ms,
    }  # fmt: skip


def run() -> list[dict]:
    from tools.scenario import Scenario
    from tools.tco import compute_tco
    from tools.uncertainty import run_monte_carlo, sensitivity

    minimal = Scenario.from_yaml(ROOT / "examples" / "minimal.yaml")
    triage = Scenario.from_yaml(ROOT / "examples" / "support_triage.yaml")
    rows = [
        _row("tco: full 5-path TCO, minimal scenario", _time(lambda: compute_tco(minimal), 200), "<= 5 ms", 5),
        _row("tco: full 5-path TCO, support triage", _time(lambda: compute_tco(triage), 200), "<= 5 ms", 5),
        _row(
            "tco: Monte Carlo 10,000 samples, support triage",
            _time(lambda: run_monte_carlo(triage, samples=10_000, seed=0), 15),
            "<= 200 ms",
            200,
        ),
        _row("tco: tornado sensitivity, support triage", _time(lambda: sensitivity(triage), 30), "-", 200),
    ]
    advisor = Path(sys.executable).parent / "advisor"
    cmd = [str(advisor), "tco", str(ROOT / "examples" / "minimal.yaml")]
    cold = _time(lambda: subprocess.run(cmd, capture_output=True, check=True), runs=7, warm=1)
    rows.append(_row("tco: `advisor tco examples/minimal.yaml` cold start", cold, "<= 1.5 s", 1500))
    return rows


if __name__ == "__main__":
    for r in run():
        print(f"{r['name']}: median {r['median_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms ({r['runs']} runs)")
