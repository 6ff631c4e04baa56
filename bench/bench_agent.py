"""Offline-brain turn latency, retrieval included: the real knowledge base (bundled embedder, ChromaDB
on a temp dir), the SQLite checkpointer, and multi-turn conversations with what-ifs.

Run: ``python -m bench.bench_agent`` (prints a table); ``run()`` returns the rows.
Target: p95 ≤ 250 ms per turn on this 2-core machine, after the embedder is warm.
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.timing import latency_row

# {n} varies per round so that no round replays an earlier round's scenarios from the caches.
CONVERSATION = [
    "We spend about ${n}0k a month on GPT-4o for support triage. Should we fine-tune?",
    "What if volume doubles?",
    "And with H100s at $2.{n}/h?",
    "The same but with QLoRA",
    "What drives the result? How risky is it?",
    "go back",
    "We're a hospital; patient data must stay on-prem.",
    "What is LoRA?",
    "reset",
    "We process {n} billion tokens a month, growing {n}% monthly",
]


def run(rounds: int = 6, data_dir: Path | None = None) -> list[dict]:
    """Median and p95 of offline turns (retrieval included) over ``rounds`` conversations."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from agent.advisor import Advisor
    from tools.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=data_dir or Path(tmp), llm=None)
        advisor = Advisor(settings)
        start = time.perf_counter()
        advisor.warm_up(background=False)  # index build + embedder load, as the server does at start
        warm_s = time.perf_counter() - start
        advisor.chat("Should we fine-tune?", session_id="bench-warm-up")  # first graph run, caches

        turns: list[float] = []
        searches: list[float] = []
        kb = advisor.knowledge()
        pool = ThreadPoolExecutor(max_workers=1)  # searched from a worker thread, as the tool node does
        for r in range(rounds):
            session = f"bench-{r}"
            for template in CONVERSATION:
                message = template.format(n=r + 2)
                t0 = time.perf_counter()
                response = advisor.chat(message, session_id=session)
                elapsed = (time.perf_counter() - t0) * 1000.0
                turns.append(elapsed)
                for call in response.tool_calls:
                    if call.name == "search_knowledge":  # the same query again, timed alone
                        t1 = time.perf_counter()
                        pool.submit(kb.search, call.arguments["query"], call.arguments.get("k", 3)).result()
                        searches.append((time.perf_counter() - t1) * 1000.0)
        pool.shutdown()

    rows = [latency_row("offline turn, retrieval included", turns, "p95 <= 250 ms")]
    if searches:
        rows.append(latency_row("knowledge search alone (same queries)", searches, "part of the turn"))
    rows.append({"name": "knowledge base warm-up (index + embedder)", "median_ms": round(warm_s * 1000.0, 1),
                 "p95_ms": round(warm_s * 1000.0, 1), "runs": 1, "target": "once, at server start"})
    return rows


if __name__ == "__main__":  # pragma: no cover
    for r in run():
        print(f"{r['name']:<45} median {r['median_ms']:>8.1f} ms   p95 {r['p95_ms']:>8.1f} ms   "
              f"runs {r['runs']:>3}   target {r['target']}")
