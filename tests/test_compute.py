"""tools/compute.py: catalogues, training and hosting estimates against hand arithmetic, and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.common import AdvisorError, Sourced, UnknownNameError
from tools.compute import (
    default_mfu,
    estimate_evaluation_gpu_hours,
    estimate_training,
    get_gpu,
    get_open_model,
    gpus_for_memory,
    hosting_gpu_hours_per_month,
    list_gpus,
    list_open_models,
    plan_hosting,
    replicas_needed,
    training_gpu_hours,
)

H100 = get_gpu("h100-80gb")
A100 = get_gpu("a100-80gb")

# ---------------------------------------------------------------------------------------------
# catalogues


def test_catalogue_holds_the_required_gpus_with_dense_datasheet_figures():
    by_id = {g.id: g for g in list_gpus()}
    assert {"a100-80gb", "h100-80gb", "h200", "l40s"} <= set(by_id)
    # dense BF16 (half the datasheet's sparsity figure), memory, bandwidth
    assert (by_id["h100-80gb"].bf16_dense_tflops.value, by_id["h100-80gb"].memory_gb.value) == (989, 80)
    assert by_id["a100-80gb"].bf16_dense_tflops.value == 312
    assert by_id["h200"].memory_gb.value == 141 and by_id["h200"].memory_bandwidth_tbps.value == 4.8
    assert by_id["l40s"].memory_gb.value == 48
    for g in by_id.values():
        p = g.price_per_hour
        assert 0 < p.low.value <= p.typical.value <= p.high.value
        for figure in (g.memory_gb, g.bf16_dense_tflops, g.memory_bandwidth_tbps, p.low, p.typical, p.high):
            assert figure.source and figure.as_of


@pytest.mark.parametrize(
    ("typed", "gpu_id"),
    [
        ("h-100", "h100-80gb"),
        ("H100", "h100-80gb"),
        ("NVIDIA H100 SXM5", "h100-80gb"),
        ("A100 80 gig", "a100-80gb"),
        ("a100-80gb", "a100-80gb"),
        ("a100 40GB", "a100-40gb"),
        ("L40S", "l40s"),
        ("h200", "h200"),
    ],
)
def test_gpu_names_people_type(typed, gpu_id):
    assert get_gpu(typed).id == gpu_id


@pytest.mark.parametrize(
    ("typed", "model_id"),
    [
        ("llama 3 8b", "llama-3-8b"),
        ("Meta-Llama-3-70B-Instruct", "llama-3-70b"),
        ("Llama 3.1 405B", "llama-3.1-405b"),
        ("mistral 7b", "mistral-7b"),
        ("Mistral-7B-Instruct-v0.3", "mistral-7b"),
        ("Mixtral 8x7B", "mixtral-8x7b"),
        ("Qwen2.5-72B-Instruct", "qwen2.5-72b"),
        ("gemma-2-9b-it", "gemma-2-9b"),
        ("phi-3-mini", "phi-3-mini"),
    ],
)
def test_open_model_names_people_type(typed, model_id):
    assert get_open_model(typed).id == model_id


def test_mixtral_carries_total_and_active_parameters():
    m = get_open_model("mixtral")
    assert (m.params_b.value, m.active_params_b.value, m.flops_params_b) == (46.7, 12.9, 12.9)
    assert get_open_model("llama-3-8b").flops_params_b == 8.03


def test_every_open_model_figure_is_sourced_and_ids_are_unique():
    models = list_open_models()
    assert len({m.id for m in models}) == len(models) >= 15
    assert all(m.params_b.source and m.params_b.as_of for m in models)


def test_unknown_gpu_names_the_field_and_suggests():
    with pytest.raises(UnknownNameError) as err:
        get_gpu("h1000", field="scenario.self_hosted.gpu")
    assert err.value.field == "scenario.self_hosted.gpu"
    assert "h100-80gb" in err.value.suggestions
    assert "scenario.self_hosted.gpu" in str(err.value) and "h100-80gb" in str(err.value)


def test_unknown_model_suggests_close_ids():
    with pytest.raises(UnknownNameError) as err:
        get_open_model("lama 3 80b")
    assert err.value.field == "model"
    assert "llama-3-8b" in err.value.suggestions


@pytest.mark.parametrize("bad", ["", "   ", None, 3])
def test_empty_or_non_string_name(bad):
    with pytest.raises(AdvisorError) as err:
        get_gpu(bad)
    assert err.value.field == "gpu"


# ---------------------------------------------------------------------------------------------
# training, by hand


def test_lora_8b_on_h100_by_hand():
    # FLOPs = 4 x 8.03e9 x 1e8 = 3.212e18
    # H100 MFU at the 8.03B anchor = 0.15 -> 989e12 x 0.15 x 3600 = 5.3406e17 FLOP per GPU-hour
    # GPU-hours = 3.212e18 / 5.3406e17 = 6.0143
    # memory = 8.03 x (2 + 0.1) x 1.2 = 20.2356 GB <= 80 x 0.9 -> 1 GPU
    est = estimate_training(8.03, 1e8, "lora", H100)
    assert est.flops == pytest.approx(3.212e18)
    assert est.mfu == pytest.approx(0.15)
    assert est.gpu_hours == pytest.approx(6.0143, rel=1e-4)
    assert est.memory_gb_required == pytest.approx(20.2356)
    assert est.gpus_needed == 1 and est.wall_clock_hours == pytest.approx(est.gpu_hours)
    names = {a.name for a in est.assumptions}
    assert {"training.flops_per_param_token.lora", "training.memory_bytes_per_param.lora"} <= names
    assert all(a.source and a.as_of for a in est.assumptions)


def test_full_70b_on_h100_by_hand():
    # memory = 70.6 x 16 x 1.2 = 1355.52 GB; / 72 usable = 18.8 -> 19 GPUs -> whole nodes: 24
    # FLOPs = 6 x 70.6e9 x 1e8 = 4.236e19; MFU 0.27 -> 989e12 x 0.27 x 3600 = 9.61308e17
    # GPU-hours = 44.065; wall clock = 44.065 / 24 = 1.836 h
    est = estimate_training(70.6, 1e8, "full", H100)
    assert est.memory_gb_required == pytest.approx(1355.52)
    assert est.gpus_needed == 24
    assert est.gpu_hours == pytest.approx(44.065, rel=1e-4)
    assert est.wall_clock_hours == pytest.approx(44.065 / 24, rel=1e-4)


def test_qlora_70b_fits_one_a100_and_pays_the_dequantisation_overhead():
    # memory = 70.6 x (0.55 + 0.1) x 1.2 = 55.068 GB -> 1 GPU
    # GPU-hours = 4 x 70.6e9 x 1e8 / (312e12 x 0.42 x 3600) x 1.39 = 2.824e19 / 4.71744e17 x 1.39 = 83.21
    est = estimate_training(70.6, 1e8, "qlora", A100)
    assert est.memory_gb_required == pytest.approx(55.068)
    assert est.gpus_needed == 1
    assert est.gpu_hours == pytest.approx(83.21, rel=1e-3)


def test_mixture_of_experts_flops_use_active_parameters():
    # FLOPs = 4 x 12.9e9 x 1e9 = 5.16e19; MFU by total size 46.7B on H100:
    #   0.15 + (0.27 - 0.15) x ln(46.7/8.03) / ln(70.6/8.03) = 0.15 + 0.12 x 1.76055/2.17388 = 0.247184
    # GPU-hours = 5.16e19 / (989e12 x 0.247184 x 3600) = 58.632
    # memory = 46.7 x 2.1 x 1.2 = 117.684 GB -> 2 GPUs
    est = estimate_training(46.7, 1e9, "lora", H100, active_params_b=12.9)
    assert est.flops == pytest.approx(5.16e19)
    assert est.mfu == pytest.approx(0.247184, rel=1e-5)
    assert est.gpu_hours == pytest.approx(58.632, rel=1e-4)
    assert est.gpus_needed == 2


def test_user_mfu_overrides_the_default_and_is_recorded_as_user_input():
    # 6 x 7e9 x 1e9 / (312e12 x 0.5 x 3600) = 4.2e19 / 5.616e17 = 74.786
    est = estimate_training(7, 1e9, "full", A100, mfu=0.5)
    assert est.gpu_hours == pytest.approx(74.786, rel=1e-4)
    assert any(a.name == "training.mfu" and a.source == "user" for a in est.assumptions)


def test_default_mfu_interpolates_and_clamps():
    assert default_mfu(H100, 1.0).value == pytest.approx(0.15)  # below the first anchor
    assert default_mfu(H100, 1000).value == pytest.approx(0.38)  # beyond the last
    # halfway in log(params) between 8.03 and 70.6 -> halfway in MFU: 0.21
    assert default_mfu(H100, math.sqrt(8.03 * 70.6)).value == pytest.approx(0.21)
    assert "interpolated" in default_mfu(H100, 20).source
    assert default_mfu(get_gpu("l40s"), 8).value == pytest.approx(0.42)


def test_evaluation_is_forward_only():
    # 2 x 8.03e9 x 1e7 = 1.606e17 / (312e12 x 0.42 x 3600 = 4.71744e17) = 0.34044 GPU-hours
    assert estimate_evaluation_gpu_hours(8.03, 1e7, A100) == pytest.approx(0.34044, rel=1e-4)
    # a third of a full fine-tune over the same tokens (2 vs 6 FLOPs per param-token)
    full = estimate_training(8.03, 1e7, "full", A100).gpu_hours
    assert estimate_evaluation_gpu_hours(8.03, 1e7, A100) == pytest.approx(full / 3)


@pytest.mark.parametrize(("raw_gb", "gpus"), [(1, 1), (72, 1), (73, 2), (150, 4), (300, 8), (577, 16), (1355.52, 24)])
def test_gpu_counts_follow_parallel_layouts(raw_gb, gpus):
    # usable = 80 x 0.9 = 72 GB per H100; 1, 2, 4, 8 GPUs, then whole 8-GPU nodes
    assert gpus_for_memory(raw_gb, H100) == gpus


# ---------------------------------------------------------------------------------------------
# hosting, by hand


def test_hosting_8b_on_h100_by_hand():
    # weights 8.03 x 2 = 16.06 GB; with KV headroom x1.3 = 20.878 GB -> 1 GPU
    # bandwidth 3350 GB/s x 0.6 = 2010 GB/s; 2010 / 20.878 = 96.273 steps/s x 32 sequences = 3080.7 tok/s
    # compute cap 989e12 x 0.4 / (2 x 8.03e9) = 24,632 tok/s -> bandwidth-bound
    plan = plan_hosting(8.03, H100, method="lora")
    assert plan.gpus_per_replica == 1
    assert plan.tokens_per_s_per_replica == pytest.approx(3080.7, rel=1e-4)
    assert plan.bound_by == "memory_bandwidth"
    # capacity at 70% target utilisation = 2156.5 tok/s: 5,000 -> 3 replicas; 100,000 -> 47
    assert replicas_needed([0, 1000, 5000, 100_000], plan).tolist() == [2, 2, 3, 47]
    assert replicas_needed(0, plan, min_replicas=1).tolist() == 1
    # 3 replicas x 1 GPU x 730 h
    assert hosting_gpu_hours_per_month(5000, plan) == 2190
    assert any(a.name == "training.hours_per_month" and a.value == 730 for a in plan.assumptions)


def test_hosting_70b_on_h100_by_hand():
    # weights 141.2 GB x 1.3 = 183.56 GB / 72 = 2.55 -> 3 -> 4 GPUs (tensor parallel)
    # 32 x (4 x 3350 x 0.6) / 183.56 = 32 x 8040 / 183.56 = 1401.6 tok/s
    plan = plan_hosting(70.6, H100)
    assert plan.gpus_per_replica == 4
    assert plan.tokens_per_s_per_replica == pytest.approx(1401.6, rel=1e-4)


def test_fp8_serving_halves_the_weights_and_doubles_bandwidth_bound_throughput():
    bf16 = plan_hosting(8.03, H100)
    fp8 = plan_hosting(8.03, H100, precision="fp8")
    assert fp8.weights_gb == pytest.approx(bf16.weights_gb / 2)
    assert fp8.tokens_per_s_per_replica == pytest.approx(2 * bf16.tokens_per_s_per_replica)


def test_compute_cap_binds_at_high_concurrency():
    # 4096 sequences: bandwidth bound would be 4096 x 96.273 = 394,335 tok/s > compute cap 24,632
    plan = plan_hosting(8.03, H100, concurrent_sequences=4096)
    assert plan.bound_by == "compute"
    assert plan.tokens_per_s_per_replica == pytest.approx(989e12 * 0.4 / (2 * 8.03e9))


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"params_b": -1.0, "training_tokens": 1e6}, "params_b"),
        ({"params_b": 0.0, "training_tokens": 1e6}, "params_b"),
        ({"params_b": 7.0, "training_tokens": -5.0}, "training_tokens"),
        ({"params_b": 7.0, "training_tokens": float("nan")}, "training_tokens"),
        ({"params_b": float("inf"), "training_tokens": 1e6}, "params_b"),
    ],
)
def test_bad_numbers_name_the_field(kwargs, field):
    with pytest.raises(AdvisorError) as err:
        estimate_training(method="full", gpu=H100, **kwargs)
    assert err.value.field == field
    assert field in str(err.value)


def test_bad_method_mfu_and_loads():
    with pytest.raises(AdvisorError, match="method: must be one of full, lora, qlora"):
        estimate_training(7, 1e6, "prefix", H100)  # type: ignore[arg-type]
    with pytest.raises(AdvisorError, match=r"mfu: must be a fraction in \(0, 1\]"):
        estimate_training(7, 1e6, "full", H100, mfu=1.5)
    with pytest.raises(AdvisorError, match="active_params_b"):
        estimate_training(7, 1e6, "full", H100, active_params_b=8)
    plan = plan_hosting(8.03, H100)
    with pytest.raises(AdvisorError, match="peak_output_tokens_per_s: must be a finite number"):
        replicas_needed(np.array([1.0, np.nan]), plan)
    with pytest.raises(AdvisorError, match="peak_output_tokens_per_s: must be 0 or more"):
        replicas_needed(-1, plan)
    with pytest.raises(AdvisorError, match="min_replicas"):
        replicas_needed(10, plan, min_replicas=0)
    with pytest.raises(AdvisorError, match="precision"):
        plan_hosting(8.03, H100, precision="fp4")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# properties

params = st.floats(min_value=0.1, max_value=1000)
tokens = st.floats(min_value=0, max_value=1e13)
methods = st.sampled_from(["full", "lora", "qlora"])
gpus = st.sampled_from(list_gpus())


@given(params, params, tokens, tokens, methods, gpus)
def test_gpu_hours_never_fall_as_tokens_or_params_rise(p1, p2, d1, d2, method, gpu):
    (p_lo, p_hi), (d_lo, d_hi) = sorted((p1, p2)), sorted((d1, d2))
    low = estimate_training(p_lo, d_lo, method, gpu).gpu_hours
    assert estimate_training(p_lo, d_hi, method, gpu).gpu_hours >= low * (1 - 1e-12)
    assert estimate_training(p_hi, d_lo, method, gpu).gpu_hours >= low * (1 - 1e-12)


@given(st.floats(min_value=1, max_value=5000), st.floats(min_value=8, max_value=200), st.floats(min_value=1, max_value=4))
def test_more_memory_per_gpu_never_needs_more_gpus(memory_needed, gpu_memory, factor):
    small = H100.model_copy(update={"memory_gb": _gb(gpu_memory)})
    large = H100.model_copy(update={"memory_gb": _gb(gpu_memory * factor)})
    assert gpus_for_memory(memory_needed, large) <= gpus_for_memory(memory_needed, small)


def _gb(v: float) -> Sourced:
    return Sourced(value=v, unit="GB", source="test", as_of="2024-01-01")


@given(params, methods)
def test_more_memory_per_gpu_never_needs_more_gpus_for_a_run(p, method):
    a40, a80 = get_gpu("a100-40gb"), get_gpu("a100-80gb")
    assert estimate_training(p, 1e9, method, a80).gpus_needed <= estimate_training(p, 1e9, method, a40).gpus_needed


@given(st.lists(st.floats(min_value=0, max_value=1e7), min_size=2, max_size=20), params, gpus)
@settings(max_examples=50)
def test_replicas_never_fall_as_load_rises(loads, p, gpu):
    plan = plan_hosting(p, gpu)
    ordered = np.sort(np.array(loads))
    replicas = replicas_needed(ordered, plan)
    assert np.all(np.diff(replicas) >= 0)
    assert np.all(replicas >= 2)
    # and the replicas carry the load at the target utilisation
    assert np.all(replicas * plan.tokens_per_s_per_replica * plan.target_utilization >= ordered * (1 - 1e-9))


@given(st.lists(st.tuples(params, tokens), min_size=1, max_size=10), methods, gpus)
@settings(max_examples=50)
def test_vectorised_calls_equal_elementwise_scalar_calls(rows, method, gpu):
    p = np.array([r[0] for r in rows])
    d = np.array([r[1] for r in rows])
    vec = training_gpu_hours(p, d, method, gpu)
    scalar = [estimate_training(pi, di, method, gpu).gpu_hours for pi, di in zip(p, d, strict=True)]
    np.testing.assert_allclose(vec, scalar, rtol=1e-12)
    ev = estimate_evaluation_gpu_hours(p, d, gpu)
    np.testing.assert_allclose(ev, [estimate_evaluation_gpu_hours(pi, di, gpu) for pi, di in zip(p, d, strict=True)])
    plan = plan_hosting(float(p[0]), gpu)
    loads = d / 1e6
    assert replicas_needed(loads, plan).tolist() == [int(replicas_needed(x, plan)) for x in loads]


def test_vectorised_over_a_samples_by_months_grid():
    # the Monte Carlo passes arrays of shape (samples, months)
    loads = np.linspace(0, 50_000, 24).reshape(4, 6)
    plan = plan_hosting(8.03, H100)
    assert replicas_needed(loads, plan).shape == (4, 6)
    hours = training_gpu_hours(8.03, np.full((4, 6), 1e8), "lora", H100)
    assert hours.shape == (4, 6)
    assert np.allclose(hours, 6.0143, rtol=1e-4)


def test_module_docstring_example_runs():
    import doctest

    import tools.compute

    assert doctest.testmod(tools.compute).failed == 0
