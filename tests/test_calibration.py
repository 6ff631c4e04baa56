"""The training estimator against published GPU-hours of real runs (tools/data/calibration.yaml)."""

from __future__ import annotations

import pytest

from tools.compute import estimate_training, get_gpu, list_calibration_runs

RUNS = list_calibration_runs()


def test_file_covers_both_generations_and_the_runs_the_brief_names():
    ids = {r.id for r in RUNS}
    assert {"llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3.1-405b"} <= ids
    assert {get_gpu(r.gpu).generation for r in RUNS} == {"ampere", "hopper"}
    # the Llama 2 figures as published (Touvron et al. 2023, Table 2)
    by_id = {r.id: r.gpu_hours.value for r in RUNS}
    assert (by_id["llama-2-7b"], by_id["llama-2-13b"], by_id["llama-2-70b"]) == (184_320, 368_640, 1_720_320)


@pytest.mark.parametrize("run", RUNS, ids=[r.id for r in RUNS])
def test_implied_mfu_in_the_file_matches_its_own_figures(run):
    # implied MFU = 6 N D / (GPU-hours x 3600 x peak); recomputed here so a typo in the file shows up
    peak = get_gpu(run.gpu).bf16_dense_tflops.value * 1e12
    implied = 6 * run.params_b * 1e9 * run.tokens / (run.gpu_hours.value * 3600 * peak)
    assert implied == pytest.approx(run.implied_mfu, abs=0.001)


@pytest.mark.parametrize("run", RUNS, ids=[r.id for r in RUNS])
def test_estimator_lands_within_25_percent_of_published_gpu_hours(run):
    est = estimate_training(run.params_b, run.tokens, "full", get_gpu(run.gpu))
    ratio = est.gpu_hours / run.gpu_hours.value
    assert 0.75 <= ratio <= 1.25, f"{run.id}: estimated {est.gpu_hours:,.0f} vs published {run.gpu_hours.value:,.0f}"


def test_llama_2_7b_by_hand():
    # 6 x 6.74e9 x 2e12 = 8.088e22 FLOPs; / (312e12 x 0.42 x 3600 = 4.71744e17 FLOP per GPU-hour)
    # = 171,449 GPU-hours, vs 184,320 published (-7%)
    est = estimate_training(6.74, 2e12, "full", get_gpu("a100-80gb"))
    assert est.gpu_hours == pytest.approx(171_449, rel=1e-4)
