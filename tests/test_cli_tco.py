"""``advisor tco``: readable table, full JSON, schema, and one-line errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ui.cli import app

ROOT = Path(__file__).resolve().parents[1]
ADVISOR = Path(sys.executable).parent / "advisor"
runner = CliRunner()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ADVISOR), "tco", *args], capture_output=True, text=True, timeout=60, cwd=ROOT, check=False
    )


def test_console_script_prints_the_table():
    proc = run_cli("examples/minimal.yaml")
    assert proc.returncode == 0, proc.stderr
    for needle in ("Total cost of ownership over 36 months", "API + RAG", "Self-hosted LoRA",
                   "Cheapest feasible path", "Breakdown by cost line", "Key assumptions"):  # fmt: skip
        assert needle in proc.stdout


def test_json_holds_the_full_result():
    result = runner.invoke(app, ["tco", str(ROOT / "examples/minimal.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    api = next(p for p in payload["tco"]["paths"] if p["id"] == "api")
    tokens = sum(line["total"] for line in api["lines"] if line["id"].startswith("api_"))
    assert tokens == pytest.approx(63_000.0)  # 36 x $1,750, the check
    assert payload["monte_carlo"] is None and payload["sensitivity"] is None
    assert payload["tco"]["assumptions"]


def test_json_with_monte_carlo_tornado_and_what_if():
    result = runner.invoke(app, [
        "tco", str(ROOT / "examples/minimal.yaml"), "--json", "--samples", "500", "--seed", "3",
        "--tornado", "--set", "usage.monthly_growth=0.05",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["scenario"]["usage"]["monthly_growth"] == 0.05
    assert payload["monte_carlo"]["samples"] == 500 and payload["monte_carlo"]["seed"] == 3
    assert payload["sensitivity"]["rows"]


def test_schema():
    result = runner.invoke(app, ["tco", "--schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "usage" in schema["properties"] and schema["required"] == ["usage"]


@pytest.mark.parametrize(
    ("yaml_text", "needles"),
    [
        ("horizon_months: 0\nusage: {monthly_total_tokens: 1}\n", ["horizon_months", "<= 120"]),
        ("usage: {monthly_total_tokens: -3}\n", ["usage.monthly_total_tokens", ">= 0"]),
        ("usage: {monthly_total_tokens: .nan}\n", ["usage.monthly_total_tokens", "finite"]),
        ("usage: {monthly_total_tokens: 1}\napi: {cached_input_share: 1.2}\n", ["api.cached_input_share", "<= 1"]),
        (
            "usage: {monthly_total_tokens: 1}\nself_hosted: {serving_gpu: h-200x}\n",
            ["self_hosted.serving_gpu", "Did you mean", "h200"],
        ),
        ("usage: {monthly_total_tokens: 1}\nself_hosted: {model: lama-3-70b}\n", ["self_hosted.model", "llama-3-70b"]),
        ("usage: [1, 2\n", ["not valid YAML"]),
    ],
)
def test_bad_input_is_one_line_and_non_zero(tmp_path, yaml_text, needles):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    proc = run_cli(str(path))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0]


def test_missing_file_and_bad_set_are_clean_errors(tmp_path):
    proc = run_cli(str(tmp_path / "nope.yaml"))
    assert proc.returncode != 0 and "cannot read" in proc.stderr and "Traceback" not in proc.stderr
    result = runner.invoke(app, ["tco", str(ROOT / "examples/minimal.yaml"), "--set", "horizon_months=999"])
    assert result.exit_code != 0 and "horizon_months" in result.output


@pytest.mark.parametrize("name", ["support_triage", "hospital_onprem", "small_team"])
def test_examples_run(name):
    result = runner.invoke(app, ["tco", str(ROOT / f"examples/{name}.yaml"), "--samples", "1000"])
    assert result.exit_code == 0, result.output
    assert "Monte Carlo" in result.stdout


def test_hospital_example_rules_out_the_api():
    result = runner.invoke(app, ["tco", str(ROOT / "examples/hospital_onprem.yaml"), "--json"])
    payload = json.loads(result.stdout)
    assert payload["tco"]["cheapest"].startswith("self_hosted")
    assert not next(p for p in payload["tco"]["paths"] if p["id"] == "api")["feasible"]
