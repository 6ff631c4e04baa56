"""The methodology notes quote a few figures worked out with the calculators at today's defaults.
Each is recomputed here, so a change of default or formula that makes a sentence stale fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import compute
from tools.scenario import Scenario
from tools.tco import compute_tco

CORPUS = Path(__file__).resolve().parents[1] / "knowledge" / "corpus"
# The minimal scenario, the one the notes use for their worked examples.
MINIMAL = {
    "horizon_months": 36,
    "usage": {"monthly_input_tokens": 300e6, "monthly_output_tokens": 100e6, "monthly_growth": 0.0},
    "api": {"input_price_per_mtok": 2.50, "output_price_per_mtok": 10.00},
}


def note(name: str) -> str:
    return re.sub(r"\s+", " ", (CORPUS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def minimal():
    return compute_tco(Scenario.parse(MINIMAL))


@pytest.mark.parametrize(
    ("line", "quoted"), [("curation", "30,250"), ("annotation", "20,000"), ("legal_review", "4,840")]
)
def test_data_preparation_lines(minimal, line, quoted):
    total = minimal.path("self_hosted_lora").line(line).total
    assert f"{total:,.0f}" == quoted
    assert f"{quoted} " in note("methodology-tco.md")


def test_api_cost_per_million_tokens(minimal):
    api = minimal.path("api")
    # Tokens alone: $1,750 a month over 400M tokens (by hand: 1750 / 400 = 4.375).
    assert f"about {api.cost_per_mtok:.2f} dollars against a pure token cost of {1750 / 400:.2f}" in note(
        "methodology-tco.md"
    )


def test_break_even_volume_is_roughly_three_billion(minimal):
    volumes = [minimal.path(p).break_even_monthly_tokens for p in ("self_hosted_lora", "self_hosted_full")]
    assert all(v is not None and 2.5e9 <= v <= 3.5e9 for v in volumes), volumes
    assert "roughly three billion tokens a month" in note("methodology-tco.md")


def test_two_l40s_replicas_a_month(minimal):
    hosting = minimal.path("self_hosted_lora").line("hosting").months[0]
    assert minimal.path("self_hosted_lora").replicas_first_month == 2
    assert f"cost about {hosting:,.0f} dollars a month" in note("methodology-inference-hosting.md")


def test_gpus_for_a_70b_model_on_h100():
    h100 = compute.get_gpu("h100")
    params = compute.get_open_model("llama-3.1-70b").params_b.value
    gpus = {m: compute.estimate_training(params, 1e9, m, h100).gpus_needed for m in ("full", "lora", "qlora")}
    text = note("methodology-training-compute.md")
    assert f"{gpus['full']} GPUs (three nodes) for a full fine-tune" in text
    assert f"{gpus['lora']} GPUs for LoRA" in text
    assert gpus["qlora"] == 1 and "on a single GPU for QLoRA" in text


def test_llama_2_7b_calibration_figure():
    run = next(r for r in compute.list_calibration_runs() if r.id == "llama-2-7b")
    estimate = compute.estimate_training(run.params_b, run.tokens, "full", compute.get_gpu(run.gpu)).gpu_hours
    quoted = round(estimate, -3)
    assert f"the estimator gives about {quoted:,.0f}," in note("methodology-training-compute.md")
    assert f"{run.gpu_hours.value:,.0f} A100 GPU-hours" in note("methodology-training-compute.md")
