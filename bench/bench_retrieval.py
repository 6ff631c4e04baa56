"""Knowledge-base benchmark: retrieval quality on tests/data/retrieval_questions.yaml (the dev set:
recall@1, recall@3, MRR, off-topic refusals) and on the held-out set
tests/data/retrieval_questions_heldout.yaml (never used to choose settings), and timings (model
load, index build, query latency).

Run with the others (``python -m bench retrieval``) or alone (``python -m bench.bench_retrieval``).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.timing import latency_row

QUERY_ROUNDS = 3


def _figure(name: str, value: float, target: str, ok: bool | None) -> dict:
    return {
        "name": name,
        "value": f"{value:.3f}",
        "median_ms": None,
        "p95_ms": None,
        "runs": 1,
        "target": target,
        "verdict": "" if ok is None else ("ok" if ok else "BELOW"),
    }


def run() -> list[dict]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from knowledge import KnowledgeBase
    from knowledge.evaluation import QUESTIONS_FILE, evaluate, load_questions
    from tools.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(Settings(data_dir=Path(tmp)))
        started = time.perf_counter()
        kb._embedder()  # torch + model load, what warm_up pays once per process
        load_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        report = kb.ensure_index()
        build_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        kb.ensure_index()
        noop_ms = (time.perf_counter() - started) * 1000

        questions = load_questions()
        evaluation = evaluate(kb, questions)
        heldout = evaluate(
            kb, load_questions(QUESTIONS_FILE.with_name("retrieval_questions_heldout.yaml"))
        )
        latencies = []
        for _ in range(QUERY_ROUNDS):
            for q in questions:
                t = time.perf_counter()
                kb.search(q.question)
                latencies.append((time.perf_counter() - t) * 1000)

    on, off = len(evaluation.on_topic), len(evaluation.off_topic)
    chunks = report.total_chunks
    return [
        _figure(f"recall@1 ({on} on-topic questions)", evaluation.recall_at(1), "", None),
        _figure("recall@3", evaluation.recall_at(3), ">= 0.9 (test: >= 0.84)",
                evaluation.recall_at(3) >= 0.9),
        _figure("MRR", evaluation.mrr, "", None),
        _figure(f"off-topic refused ({off} questions)", evaluation.off_topic_refused, "1.0",
                evaluation.off_topic_refused == 1.0),
        _figure("on-topic wrongly refused", evaluation.on_topic_refused, "0.0",
                evaluation.on_topic_refused == 0.0),
        _figure(f"held-out recall@1 ({len(heldout.on_topic)} on-topic)", heldout.recall_at(1), "",
                None),
        _figure("held-out recall@3", heldout.recall_at(3), ">= 0.9 (test: >= 0.85)",
                heldout.recall_at(3) >= 0.9),
        _figure("held-out MRR", heldout.mrr, "", None),
        _figure(f"held-out off-topic refused ({len(heldout.off_topic)})", heldout.off_topic_refused,
                "1.0", heldout.off_topic_refused == 1.0),
        latency_row("query latency after warm-up", latencies, "p50 <= 30 ms", 30.0),
        latency_row("embedding model load (torch + MiniLM)", [load_ms], "once, in the background"),
        latency_row(f"index build, whole corpus ({chunks} chunks)", [build_ms], "once"),
        latency_row("ensure_index with nothing changed", [noop_ms], "<= 3000 ms", 3000.0),
    ]


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        shown = row.get("value") or f"{row['median_ms']:.1f} ms (p95 {row['p95_ms']:.1f})"
        print(f"{row['name']:<48} {shown:<28} {row['target']} {row.get('verdict', '')}")
