"""Load over loopback HTTP: 50 concurrent sessions, each a 5-turn what-if conversation on
``POST /api/v1/chat`` against a real ``advisor serve``, bounded to 60 s a run and repeated three times.

Reports turns/s, p50/p95/p99 turn latency, errors (target zero), sessions whose final scenario is not
what their own turns produced (cross-talk, target zero), and the server's RSS before and after the
three runs. Traffic goes to 127.0.0.1 only.

Run: ``python -m bench.bench_load`` (prints a table); ``run()`` returns the rows.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.server import ServerProcess

SESSIONS = 50
RUN_LIMIT_S = 60.0
RUNS = 3


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def conversation(i: int) -> list[str]:
    """Session ``i``'s five turns; its volume (i + 1) x 10M input tokens is its own, so a session that
    picked up another's turn would end on a different scenario."""
    return [
        f"We use {(i + 1) * 10}M input and {i + 1}M output tokens a month on GPT-4o. Should we fine-tune Llama 3 8B?",
        "What if our volume doubles?",
        "What drives the result? How risky is it?",
        "What if our volume doubles?",
        "What is LoRA?",
    ]


def expected_usage(i: int) -> dict[str, float]:
    # by hand: the first turn's volume, doubled twice by the what-ifs
    return {"monthly_input_tokens": (i + 1) * 10e6 * 4, "monthly_output_tokens": (i + 1) * 1e6 * 4}


def server_rss_mb(pid: int) -> float:
    """Resident memory of the server process, from /proc (psutil when installed)."""
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("cannot read the server's RSS")


def one_run(url: str, tag: str, limit_s: float = RUN_LIMIT_S) -> dict:
    """50 sessions at once, each its 5 turns in order; stops sending once ``limit_s`` has passed."""
    deadline = time.monotonic() + limit_s
    latencies: list[float] = []
    errors: list[str] = []
    finished: dict[int, dict] = {}
    lock = threading.Lock()
    limits = httpx.Limits(max_connections=SESSIONS + 4, max_keepalive_connections=SESSIONS + 4)
    with httpx.Client(base_url=url, timeout=limit_s, limits=limits) as client:

        def session(i: int) -> None:
            sid = f"load-{tag}-{i}"
            last = None
            for message in conversation(i):
                if time.monotonic() > deadline:
                    return
                start = time.perf_counter()
                try:
                    r = client.post("/api/v1/chat", json={"message": message, "session_id": sid})
                    elapsed = time.perf_counter() - start
                    if r.status_code != 200:
                        raise RuntimeError(f"HTTP {r.status_code}: {r.text[:200]}")
                    last = r.json()
                except Exception as exc:  # noqa: BLE001 - counted, the run goes on
                    with lock:
                        errors.append(f"{sid}: {type(exc).__name__}: {exc}")
                    return
                with lock:
                    latencies.append(elapsed)
            with lock:
                finished[i] = last

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
            list(pool.map(session, range(SESSIONS)))
        wall = time.perf_counter() - started

        crosstalk = []
        for i, last in finished.items():
            view = client.get(f"/api/v1/sessions/load-{tag}-{i}").json()
            usage = {
                k: view["scenario"]["usage"].get(k)
                for k in ("monthly_input_tokens", "monthly_output_tokens")
            }
            users = [t["content"] for t in view["history"] if t["role"] == "user"]
            if (
                usage != expected_usage(i)
                or view["scenario"] != last["scenario"]
                or users != conversation(i)
            ):
                crosstalk.append(i)
    return {
        "wall_s": wall,
        "latencies": latencies,
        "errors": errors,
        "finished": len(finished),
        "crosstalk": crosstalk,
    }


def _value(name: str, value, target: str, runs: int) -> dict:
    return {"name": name, "value": value, "target": target, "runs": runs}


def run(runs: int = RUNS) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        launch = ServerProcess(data_dir)
        try:
            launch.wait_until("/api/v1/health", timeout=120)
            # a realistic server: the knowledge base warm (index built on this first start)
            deadline = time.monotonic() + 400
            knowledge = "pending"
            while time.monotonic() < deadline:
                knowledge = (
                    httpx.get(launch.url + "/api/v1/health", timeout=10).json().get("knowledge")
                )
                if knowledge in ("ready", "failed"):
                    break
                time.sleep(0.5)
            launch.wait_until("/api/v1/chat", "POST", timeout=300, json={"message": "What is LoRA?", "session_id": "load-warm"})
            rss_before = server_rss_mb(launch.process.pid)
            results = []
            rss_after = []
            for n in range(runs):
                results.append(one_run(launch.url, f"r{n}"))
                rss_after.append(server_rss_mb(launch.process.pid))
        finally:
            launch.stop()

    latencies = [x * 1000 for r in results for x in r["latencies"]]
    turns = len(latencies)
    wall = sum(r["wall_s"] for r in results)
    errors = sum(len(r["errors"]) for r in results)
    expected = runs * SESSIONS
    finished = sum(r["finished"] for r in results)
    crosstalk = sum(len(r["crosstalk"]) for r in results)
    per_run_tps = [len(r["latencies"]) / r["wall_s"] for r in results]
    rows = [
        {
            "name": f"load: turn latency, {SESSIONS} concurrent sessions x 5 turns (p50 / p95)",
            "median_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(_percentile(latencies, 0.95), 1),
            "runs": turns,
            "target": "info",
        },
        _value(
            "load: turn latency p99 (ms)", round(_percentile(latencies, 0.99), 1), "info", turns
        ),
        _value(
            "load: turns per second (median of runs)",
            round(statistics.median(per_run_tps), 1),
            "info",
            runs,
        ),
        _value("load: errors", errors, "0", turns),
        _value(
            "load: sessions finished within 60 s",
            f"{finished}/{expected}",
            f"{expected}/{expected}",
            runs,
        ),
        _value(
            "load: sessions ending on another's scenario (cross-talk)", crosstalk, "0", finished
        ),
        _value(
            "load: server RSS MB before / after each run",
            " / ".join(f"{x:.0f}" for x in [rss_before, *rss_after]),
            "no steady growth",
            runs,
        ),
        _value("load: knowledge base during the runs", knowledge, "ready", 1),
        _value(
            "load: total wall time of the runs (s)",
            round(wall, 1),
            f"<= {RUN_LIMIT_S * runs:.0f}",
            runs,
        ),
    ]
    if errors:
        rows.append(
            _value("load: first error", next(e for r in results for e in r["errors"])[:120], "", 1)
        )
    return rows


if __name__ == "__main__":
    for row in run():
        if "value" in row:
            print(f"{row['name']:<70} {row['value']!s:>20}  target {row['target']}")
        else:
            print(
                f"{row['name']:<70} median {row['median_ms']:>8.1f} ms  p95 {row['p95_ms']:>8.1f} ms  runs {row['runs']}"
            )
