"""Run every benchmark: ``python -m bench [name ...]``.

Each ``bench/bench_<name>.py`` exposes ``run() -> list[dict]`` whose rows are
``{name, median_ms, p95_ms, runs, target}`` (``target`` a readable string such as "<= 5 ms";
an optional numeric ``target_ms`` lets the table say whether the median meets it). Add a module and
it is picked up, and runs in a fresh interpreter of its own; give names (``python -m bench tco
agent``) to run only those. The table is printed
and written to ``bench/RESULTS.md`` together with the machine it ran on.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def discover(selected: list[str]) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    if selected:
        names = [n for n in names if n.removeprefix("bench_") in selected or n in selected]
    return names


def verdict(row: dict) -> str:
    target = row.get("target_ms")
    if target is None or row.get("median_ms") is None:
        return ""
    return "ok" if row["median_ms"] <= target else "SLOW"


HEADER = "| benchmark | median ms | p95 ms | runs | target | | module |"


def table(rows: list[dict]) -> list[str]:
    lines = [HEADER, "|---|---:|---:|---:|---|---|---|"]
    for r in rows:
        module = r.get("module", "")
        if "value" in r and not r.get("error"):  # a measured figure, not a timing (e.g. an accuracy)
            lines.append(
                f"| {r['name']} | {r['value']} | | | {r.get('target', '')} | {r.get('verdict', '')} | {module} |"
            )
            continue
        med = "error" if r.get("error") else f"{r['median_ms']:.2f}"
        p95 = "" if r.get("error") else f"{r['p95_ms']:.2f}"
        lines.append(f"| {r['name']} | {med} | {p95} | {r.get('runs', '')} | {r.get('target', '')} | "
                     f"{r.get('error') or verdict(r)} | {module} |")
    return lines


def kept_rows(ran: set[str]) -> list[str]:
    """Rows of RESULTS.md from modules not run this time, so a partial run keeps the others' figures."""
    path = HERE / "RESULTS.md"
    if not path.exists():
        return []
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and line != HEADER and len(cells) == 7 and cells[-1] and cells[-1] not in ran:
            kept.append(line)
    return kept


def run_isolated(name: str) -> list[dict]:
    """Run one module in a fresh interpreter, so one-off costs (imports, model loads) it measures
    are not hidden by a module that ran before it in the same process."""
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--rows", name],
        cwd=HERE.parent, stdout=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    last = done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else []
    if done.returncode != 0 or not last:
        return [{"name": name, "error": f"exited with {done.returncode}"}]
    return json.loads(last[0])


def rows_of(name: str) -> int:
    """``python -m bench --rows NAME``: run one module here and print its rows as one JSON line."""
    sys.path.insert(0, str(HERE.parent))
    try:
        rows = importlib.import_module(f"bench.{name}").run()
    except Exception as exc:  # noqa: BLE001 (one broken benchmark must not hide the others)
        traceback.print_exc()
        rows = [{"name": name, "error": f"{type(exc).__name__}: {exc}"}]
    print(json.dumps(rows, default=str))
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--rows"]:
        return rows_of(argv[1])
    sys.path.insert(0, str(HERE.parent))
    info = machine()
    rows: list[dict] = []
    names = discover(argv)
    for name in names:
        started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += [{"module": name, **row} for row in run_isolated(name)]
        print(f"  {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    lines = table(rows)
    print("\n".join(lines))
    lines[2:2] = kept_rows(set(names))
    report = [
        "# Benchmark results",
        "",
        f"Machine: {info['cores']} cores, {info['cpu']}; Python {info['python']}; {info['platform']}.",
        (
            f"Run: {info['date']} with `python -m bench{' ' + ' '.join(argv) if argv else ''}`; "
            f"load average before the run (1/5/15 min): {info['load']} (other work slows every row)."
        ),
        "Medians of several runs; 'ok' means the median meets the target. Rows of modules not run",
        "this time are kept from the previous file (their own run date may differ).",
        "",
        *lines,
        "",
    ]
    (HERE / "RESULTS.md").write_text("\n".join(report), encoding="utf-8")
    return 1 if any(r.get("error") for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
