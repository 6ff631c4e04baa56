"""Cost engine timings: the full five-path TCO, a 10,000-sample Monte Carlo, the tornado, and the
cold start of ``advisor tco``. Targets on a 2-core machine: 5 ms, 200 ms, 1.5 s.

Run alone: ``python -m bench tco``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.timing import latency_row, time_calls

ROOT = Path(__file__).resolve().parents[1]


def run() -> list[dict]:
    from tools.scenario import Scenario
    from tools.tco import compute_tco
    from tools.uncertainty import run_monte_carlo, sensitivity

    minimal = Scenario.from_yaml(ROOT / "examples" / "minimal.yaml")
    triage = Scenario.from_yaml(ROOT / "examples" / "support_triage.yaml")
    rows = [
        latency_row("tco: full 5-path TCO, minimal scenario", time_calls(lambda: compute_tco(minimal), 200), "<= 5 ms", 5),
        latency_row("tco: full 5-path TCO, support triage", time_calls(lambda: compute_tco(triage), 200), "<= 5 ms", 5),
        latency_row(
            "tco: Monte Carlo 10,000 samples, support triage",
            time_calls(lambda: run_monte_carlo(triage, samples=10_000, seed=0), 15),
            "<= 200 ms",
            200,
        ),
        latency_row("tco: tornado sensitivity, support triage", time_calls(lambda: sensitivity(triage), 30), "-", 200),
    ]
    advisor = Path(sys.executable).parent / "advisor"
    cmd = [str(advisor), "tco", str(ROOT / "examples" / "minimal.yaml")]
    cold = time_calls(lambda: subprocess.run(cmd, capture_output=True, check=True), runs=7, warm=1)
    rows.append(latency_row("tco: `advisor tco examples/minimal.yaml` cold start", cold, "<= 1.5 s", 1500))
    return rows


if __name__ == "__main__":
    for r in run():
        print(f"{r['name']}: median {r['median_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms ({r['runs']} runs)")
