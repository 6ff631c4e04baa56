"""The intent rules as they stood when each development batch arrived: for every message of the
batches below, what the rules alone (no learned model) answered on the commit just before the
batch was added. Those readings are what the rules do on text nobody had tuned them on, which is
what they do in use; the learned combiner in agent/understanding/intent_model.py is fitted on
them as well as on today's rules over the whole development set (see ``bench/intent_cv.py``).

Run: ``python -m bench.arrival_rules`` (about 2 minutes; needs the git history) writes
``bench/data/arrival_rules.json``. Labels are not stored: they are read from today's
tests/data/messages_dev.yaml, so a relabel applies to these readings too. Never reads the
held-out part.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "data" / "arrival_rules.json"
DEV = "tests/data/messages_dev.yaml"
#: Commits that added dev batches written under the settled intent rules (sessions 4-9), each
#: read by the parser of its parent commit
BATCH_COMMITS = (
    "c5ce455",  # d1641-d1940
    "efcb13d",  # d1941-d2240
    "7b9e565",  # d2241-d2840
    "9ca5793",  # d2841-d3440
    "a9e5bf3",  # d3441-d4040
    "f27c45d",  # d4041-d4340
    "3f173d0",  # d4341-d4640
    "6aa849e",  # d4641-d4940
    "a34c0fa",  # d4941-d5240
    "45d0b63",  # d5241-d5540 (session 9)
    "71f99a8",  # d5541-d5990 (session 10)
    "cc17e49",  # d5991-d6440 (session 10)
    "654d5e8",  # d6441-d6740 (session 10)
    "e73982e",  # d6741-d7040 (session 10)
)
_READ = """
import json, sys
from agent.understanding import understand
out = {}
for mid, text in json.load(sys.stdin):
    out[mid] = [[s.intent, s.evidence] for s in understand(text).intents]
json.dump(out, sys.stdout)
"""


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def _ids_at(rev: str) -> set[str]:
    return {m["id"] for m in yaml.safe_load(_git("show", f"{rev}:{DEV}")) or []}


def read_batch(commit: str, current: dict[str, str]) -> tuple[str, dict[str, list]]:
    """The parent commit's rules-only reading of the messages ``commit`` added (today's texts)."""
    parent = _git("rev-parse", "--short", f"{commit}^").strip()
    added = sorted((_ids_at(commit) - _ids_at(parent)) & current.keys())
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        _git("worktree", "add", "--detach", str(tree), parent)
        try:
            env = dict(os.environ, ADVISOR_INTENT_MODEL="off", PYTHONPATH=str(tree))
            done = subprocess.run(
                [sys.executable, "-c", _READ],
                cwd=tree,
                env=env,
                input=json.dumps([[i, current[i]] for i in added]),
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            _git("worktree", "remove", "--force", str(tree))
    return parent, json.loads(done.stdout)


def main() -> int:
    current = {m["id"]: m["text"] for m in yaml.safe_load((ROOT / DEV).read_text()) or []}
    batches, readings = [], {}  # id -> [the commit that added it, [[intent, evidence], ...]]
    for commit in BATCH_COMMITS:
        parent, read = read_batch(commit, current)
        batches.append({"added_by": commit, "read_by": parent, "messages": len(read)})
        readings.update({mid: [commit, reading] for mid, reading in read.items()})
        print(f"{commit}: {len(read)} messages read by {parent}", file=sys.stderr)
    OUT.parent.mkdir(exist_ok=True)
    lines = [f"{json.dumps(i)}: {json.dumps(readings[i])}" for i in sorted(readings)]
    OUT.write_text(  # one message per line, so a diff shows which readings changed
        f'{{"batches": {json.dumps(batches)},\n"readings": {{\n' + ",\n".join(lines) + "\n}}\n"
    )
    print(OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
