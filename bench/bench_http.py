"""The served app, end to end over loopback HTTP: cold start (``advisor serve`` launched to the first
answered ``POST /api/v1/chat``) and the latency of offline chat turns through the HTTP API.

Run: ``python -m bench.bench_http`` (prints a table); ``run()`` returns the rows.
Targets on this 2-core machine: first answer <= 12 s after launch; turn p95 <= 300 ms.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import httpx

from bench.bench_agent import CONVERSATION as AGENT_CONVERSATION
from bench.server import ServerProcess
from bench.timing import latency_row

FIRST_QUESTION = "We spend $40k a month on GPT-4o for support triage. Should we fine-tune Llama 3 8B?"
# The agent benchmark's conversation, less its undo and reset turns.
CONVERSATION = [turn for turn in AGENT_CONVERSATION if turn not in ("go back", "reset")]


def _cold_start(data_dir: Path) -> dict[str, float]:
    launch = ServerProcess(data_dir)
    try:
        launch.wait_until("/api/v1/health", timeout=300)
        health = launch.elapsed()
        launch.wait_until("/api/v1/chat", "POST", timeout=300, json={"message": FIRST_QUESTION})
        chat = launch.elapsed()
        # while the knowledge base still loads, answers carry figures but no citations yet
        cited = None
        while cited is None and launch.elapsed() < 300:
            r = httpx.post(launch.url + "/api/v1/chat", json={"message": FIRST_QUESTION}, timeout=300)
            if r.status_code == 200 and r.json()["citations"]:
                cited = launch.elapsed()
            else:
                time.sleep(0.1)
        launch.wait_until("/", timeout=300)
        ui = launch.elapsed()
        return {"health": health, "chat": chat, "cited": cited or float("nan"), "ui": ui}
    finally:
        launch.stop()


def _row(name: str, values_s: list[float], target: str, target_ms: float | None) -> dict:
    return latency_row(name, [v * 1000 for v in values_s], target, target_ms)


def run(launches: int = 3, rounds: int = 4) -> list[dict]:
    """Cold starts (first ever, then with the index on disk) and warm HTTP turn latency."""
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        first = _cold_start(data_dir)  # empty data dir: the index is built on this start
        rows.append(_row("cold start, first ever (index built): launch to first /api/v1/chat",
                         [first["chat"]], "info", None))  # fmt: skip
        rows.append(_row("cold start, first ever (index built): launch to first cited answer",
                         [first["cited"]], "info", None))  # fmt: skip
        again = [_cold_start(data_dir) for _ in range(launches)]
        rows.append(_row("cold start: launch to first answered /api/v1/chat",
                         [a["chat"] for a in again], "<= 12 s", 12_000))  # fmt: skip
        rows.append(_row("cold start: launch to first answer with citations",
                         [a["cited"] for a in again], "info", None))  # fmt: skip
        rows.append(_row("cold start: launch to /api/v1/health", [a["health"] for a in again], "info", None))
        rows.append(_row("cold start: launch to the Gradio UI at /", [a["ui"] for a in again], "info", None))

        launch = ServerProcess(data_dir)
        try:
            # warm turns: once the knowledge base is ready, not while the models still load beside them
            launch.wait_for_health("knowledge", "ready", timeout=300)
            launch.wait_until("/api/v1/chat", "POST", timeout=300, json={"message": FIRST_QUESTION})
            turns: list[float] = []
            with httpx.Client(base_url=launch.url, timeout=300) as client:
                for r in range(rounds):
                    session = f"bench-http-{r}"
                    for template in CONVERSATION:
                        message = template.format(n=r + 2)
                        start = time.perf_counter()
                        response = client.post("/api/v1/chat", json={"message": message, "session_id": session})
                        turns.append(time.perf_counter() - start)
                        response.raise_for_status()
            rows.append(_row("HTTP chat turn (offline brain, retrieval, JSON)", turns, "p95 <= 300 ms", 300))
            tco: list[float] = []
            with httpx.Client(base_url=launch.url, timeout=60) as client:
                for i in range(30):
                    body = {"usage": {"monthly_input_tokens": 1e8 * (i + 1), "monthly_output_tokens": 3e7}}
                    start = time.perf_counter()
                    client.post("/api/v1/tco", json=body).raise_for_status()
                    tco.append(time.perf_counter() - start)
            rows.append(_row("HTTP /api/v1/tco (5-path TCO, full JSON)", tco, "info", None))
        finally:
            launch.stop()
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<70} median {row['median_ms']:>9.1f} ms  p95 {row['p95_ms']:>9.1f} ms  "
              f"runs {row['runs']:>3}  target {row['target']}")  # fmt: skip
