"""The five-path TCO: hand-computed figures, usage forms, break-even, NPV and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.compute import get_gpu
from tools.scenario import Scenario
from tools.tco import PATH_LINES, PATHS, compute_tco

MINIMAL = {
    "horizon_months": 36,
    "usage": {"monthly_input_tokens": 300_000_000, "monthly_output_tokens": 100_000_000, "monthly_growth": 0.0},
    "api": {"input_price_per_mtok": 2.50, "output_price_per_mtok": 10.00},
}
NO_LABOUR = {
    "api": {
        "input_price_per_mtok": 2.50, "output_price_per_mtok": 10.00,
        "prompt_engineering_setup_hours": 0, "prompt_engineering_monthly_hours": 0,
    }
}  # fmt: skip


def tco(data: dict, **updates):
    return compute_tco(Scenario.parse(data).apply(updates) if updates else Scenario.parse(data))


def api_tokens(result, path="api") -> np.ndarray:
    p = result.path(path)
    return np.array(p.line("api_input_tokens").months) + np.array(p.line("api_output_tokens").months)


def test_issue_check_minimal_api_path_tokens():
    # By hand: 300M x $2.50/1M + 100M x $10.00/1M = 750 + 1,000 = $1,750 a month; x 36 = $63,000.
    r = tco(MINIMAL)
    tokens = api_tokens(r)
    assert tokens == pytest.approx([1750.0] * 36)
    assert tokens.sum() == pytest.approx(63_000.0)


def test_minimal_api_path_adds_prompt_engineering_labour():
    # labour.yaml: 80 h set-up + 16 h/month at $95/h -> 7,600 + 36 x 1,520 = 62,320.
    r = tco(MINIMAL)
    assert r.path("api").line("prompt_engineering").total == pytest.approx(62_320.0)
    assert r.path("api").total == pytest.approx(63_000.0 + 62_320.0)


def test_rag_lines_by_hand():
    # Requests = 300M input tokens / 1,500 tokens per request = 200k a month.
    # Retrieved: 200k x 1,500 tokens x $2.50/1M = $750 a month.
    # Embedding at $0.02/1M: month 1 = corpus 20M + update 5% (1M) + queries 200k x 100 (20M)
    # = 41M tokens -> $0.82; later months 21M -> $0.42. Vector store $50 a month.
    rag = tco(MINIMAL).path("api_rag")
    assert rag.line("rag_retrieved_tokens").months[0] == pytest.approx(750.0)
    assert rag.line("rag_embedding").months[:2] == pytest.approx([0.82, 0.42])
    assert rag.line("rag_vector_store").total == pytest.approx(50.0 * 36)
    assert rag.line("rag_engineering").total == pytest.approx(160 * 108.0)  # 160 h x $108/h, month 1 only


def test_vendor_path_by_hand():
    # Dataset 5,000 examples x 800 tokens = 4M tokens, x 3 epochs = 12M training tokens x $25/1M = $300.
    # Experiments: 4 runs x half a run each x $300 = $600.
    # Inference: input cut 25% by the shorter prompt: 225M x $2.50 = $562.50; output $1,000;
    # fine-tuned premium 50% of $1,562.50 = $781.25 a month.
    v = tco(MINIMAL).path("vendor_finetune")
    assert v.line("vendor_training").total == pytest.approx(300.0)
    assert v.line("experiments").total == pytest.approx(600.0)
    assert v.line("api_input_tokens").months[0] == pytest.approx(562.5)
    assert v.line("finetuned_inference_premium").months[0] == pytest.approx(781.25)
    # Data preparation: curation 5,000 x 3 min = 250 h x $121 = $30,250; annotation 5,000 x $4 =
    # $20,000; legal 40 h x $121 = $4,840.
    assert v.line("curation").total == pytest.approx(30_250.0)
    assert v.line("annotation").total == pytest.approx(20_000.0)
    assert v.line("legal_review").total == pytest.approx(4_840.0)


def test_self_hosted_hosting_at_minimum_replicas():
    # 100M output tokens a month is ~114 tokens/s at a 3x peak: far below one L40S replica, so the
    # two availability replicas run all month: 2 x 1 GPU x typical price x 730 h.
    r = tco(MINIMAL)
    price = get_gpu("l40s").price_per_hour.typical.value
    lora = r.path("self_hosted_lora")
    assert lora.replicas_first_month == 2
    assert lora.line("hosting").months[0] == pytest.approx(2 * price * 730)


def test_retraining_falls_every_interval_after_month_one():
    r = tco(MINIMAL, **{"operations.retraining_interval_months": 6})
    months = r.path("self_hosted_lora").line("retraining").months
    assert [i + 1 for i, x in enumerate(months) if x > 0] == [7, 13, 19, 25, 31]


@pytest.mark.parametrize(
    ("usage", "expected_in", "expected_out"),
    [
        # 10M/day x 365/12 days = 304.1667M a month.
        ({"daily_input_tokens": 10e6, "daily_output_tokens": 2e6}, 10e6 * 365 / 12, 2e6 * 365 / 12),
        ({"yearly_input_tokens": 1.2e9, "yearly_output_tokens": 2.4e8}, 1e8, 2e7),
        # 400M total at 3 input tokens per output token: 300M in, 100M out.
        ({"monthly_total_tokens": 4e8, "input_output_ratio": 3}, 3e8, 1e8),
        ({"requests_per_month": 1e5, "input_tokens_per_request": 900, "output_tokens_per_request": 300}, 9e7, 3e7),
        # A $1,750 bill at $2.50/$10.00 with 3:1 -> 1,750 / (3 x 2.5 + 10) = 100M output, 300M input.
        ({"monthly_api_spend_usd": 1750, "input_output_ratio": 3}, 3e8, 1e8),
    ],
)
def test_usage_forms_convert_to_monthly_tokens(usage, expected_in, expected_out):
    r = tco({**NO_LABOUR, "usage": usage})
    assert r.monthly_input_tokens[0] == pytest.approx(expected_in)
    assert r.monthly_output_tokens[0] == pytest.approx(expected_out)


def test_spend_form_reproduces_the_bill():
    r = tco({**NO_LABOUR, "usage": {"monthly_api_spend_usd": 4321}})
    assert api_tokens(r)[0] == pytest.approx(4321.0)


def test_growth_compounds_monthly_from_month_one():
    r = tco(MINIMAL, **{"usage.monthly_growth": 0.05})
    assert r.monthly_input_tokens[0] == pytest.approx(3e8)
    assert r.monthly_input_tokens[12] == pytest.approx(3e8 * 1.05**12)


def test_cached_share_and_batch_discount():
    # Half the input from cache at $1.25: (0.5 x 2.50 + 0.5 x 1.25) x 300 = $562.50; half the traffic
    # through batch at 50% off -> x 0.75: input $421.875, output $750.
    r = tco(MINIMAL, **{"api.cached_input_share": 0.5, "api.cached_input_price_per_mtok": 1.25,
                        "api.batch_share": 0.5})  # fmt: skip
    api = r.path("api")
    assert api.line("api_input_tokens").months[0] == pytest.approx(421.875)
    assert api.line("api_output_tokens").months[0] == pytest.approx(750.0)


def test_npv_matches_the_annuity_due_formula():
    # Constant $1,750 a month paid at the start of each month, 12%/year -> monthly rate
    # r = 1.12^(1/12) - 1; NPV = 1,750 x (1 - (1+r)^-36) / r x (1+r).
    r = tco({**NO_LABOUR, "usage": MINIMAL["usage"], "discount_rate_annual": 0.12})
    m = 1.12 ** (1 / 12) - 1
    assert r.path("api").npv == pytest.approx(1750 * (1 - (1 + m) ** -36) / m * (1 + m))


def test_on_prem_rules_out_api_and_vendor_paths():
    r = tco(MINIMAL, **{"constraints.on_prem_required": True})
    assert [p.id for p in r.paths if not p.feasible] == ["api", "api_rag", "vendor_finetune"]
    assert r.cheapest in ("self_hosted_lora", "self_hosted_full")


def test_high_volume_makes_self_hosting_cheapest_and_break_even_is_consistent():
    r = tco(MINIMAL, **{"usage.monthly_input_tokens": 3e10, "usage.monthly_output_tokens": 1e10})
    assert r.cheapest == "self_hosted_lora"
    lora = r.path("self_hosted_lora")
    assert lora.break_even_month is not None
    volume = lora.break_even_monthly_tokens
    assert volume is not None and volume < 4e10
    # At the break-even volume the horizon totals of LoRA and API agree.
    k = volume / 4e10
    at = tco(MINIMAL, **{"usage.monthly_input_tokens": 3e10 * k, "usage.monthly_output_tokens": 1e10 * k})
    assert at.path("self_hosted_lora").total == pytest.approx(at.path("api").total, rel=2e-3)


def test_breakdown_lists_every_line_of_each_path_and_assumptions_are_sourced():
    r = tco(MINIMAL)
    for p in r.paths:
        assert [line.id for line in p.lines] == list(PATH_LINES[p.id])
    names = {a.name: a for a in r.assumptions}
    assert names["api.input_price_per_mtok"].source == "user"
    assert names["data.annotation_cost_per_example"].as_of is not None
    assert "training.mfu.hopper.small" in names or any(n.startswith("training.mfu") for n in names)
    assert all(a.source for a in r.assumptions)


def test_result_is_json_serialisable():
    dumped = tco(MINIMAL).model_dump(mode="json")
    assert [p["id"] for p in dumped["paths"]] == list(PATHS)


# --- properties -------------------------------------------------------------------------------

volume = st.floats(min_value=0, max_value=5e10, allow_nan=False)
price = st.floats(min_value=0, max_value=100, allow_nan=False)
quick = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scenario(inp, out, p_in, p_out, growth=0.0, horizon=36):
    return Scenario.parse({
        "horizon_months": horizon,
        "usage": {"monthly_input_tokens": inp, "monthly_output_tokens": out, "monthly_growth": growth},
        "api": {"input_price_per_mtok": p_in, "output_price_per_mtok": p_out},
    })  # fmt: skip


@quick
@given(volume, volume, st.floats(1.0, 10.0), price, price)
def test_cost_never_falls_as_volume_rises(inp, out, factor, p_in, p_out):
    low = compute_tco(scenario(inp, out, p_in, p_out))
    high = compute_tco(scenario(inp * factor, out * factor, p_in, p_out))
    for a, b in zip(low.paths, high.paths, strict=True):
        assert b.total >= a.total - 1e-6 * max(1.0, a.total)


@quick
@given(volume, volume, price, price, st.floats(1.0, 5.0))
def test_cost_never_falls_as_api_prices_rise(inp, out, p_in, p_out, factor):
    low = compute_tco(scenario(inp, out, p_in, p_out))
    high = compute_tco(scenario(inp, out, p_in * factor, p_out * factor))
    for a, b in zip(low.paths, high.paths, strict=True):
        assert b.total >= a.total - 1e-6 * max(1.0, a.total)


@quick
@given(price, price, st.integers(1, 120))
def test_zero_usage_costs_zero_in_api_tokens(p_in, p_out, horizon):
    r = compute_tco(scenario(0, 0, p_in, p_out, horizon=horizon))
    for path in ("api", "api_rag", "vendor_finetune"):
        assert api_tokens(r, path).sum() == 0
    assert r.path("api_rag").line("rag_retrieved_tokens").total == 0


@quick
@given(volume, volume, price, price, st.floats(-0.1, 0.2), st.integers(1, 120))
def test_totals_are_sums_of_months_and_lines(inp, out, p_in, p_out, growth, horizon):
    r = compute_tco(scenario(inp, out, p_in, p_out, growth, horizon))
    for p in r.paths:
        assert len(p.months) == horizon
        assert p.total == pytest.approx(sum(p.months), rel=1e-9, abs=1e-6)
        assert p.cumulative[-1] == pytest.approx(p.total, rel=1e-9, abs=1e-6)
        assert p.total == pytest.approx(sum(line.total for line in p.lines), rel=1e-9, abs=1e-6)


@quick
@given(st.floats(1e8, 1e11), st.floats(0.0, 0.1), price, price)
def test_break_even_month_agrees_with_cumulative_curves(inp, growth, p_in, p_out):
    r = compute_tco(scenario(inp, inp / 3, p_in, p_out, growth))
    api = np.array(r.path("api").cumulative)
    for p in r.paths[1:]:
        cum = np.array(p.cumulative)
        below = cum <= api + 1e-9
        if p.break_even_month is None:
            assert not below.any()
        else:
            k = p.break_even_month - 1
            assert below[k] and not below[:k].any()


@quick
@given(volume, st.floats(0.1, 20.0), st.floats(1.0, 4.0))
def test_cost_never_falls_as_gpu_prices_rise(inp, gpu_price, factor):
    def run(price: float):
        s = scenario(inp, inp / 3, 2.5, 10.0).apply(
            {"self_hosted.training_gpu_price_per_hour": price, "self_hosted.serving_gpu_price_per_hour": price}
        )
        return compute_tco(s)

    low, high = run(gpu_price), run(gpu_price * factor)
    for path in ("self_hosted_lora", "self_hosted_full"):
        assert high.path(path).total >= low.path(path).total
    assert high.path("api").total == low.path("api").total  # the API path owns no GPU
