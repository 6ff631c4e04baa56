"""Monte Carlo and tornado: seeded, consistent with the deterministic TCO, and checked against
closed-form quantiles of the triangular distribution."""

from __future__ import annotations

import math

import pytest

from tools.common import AdvisorError
from tools.scenario import Scenario
from tools.tco import PATHS, compute_tco
from tools.uncertainty import run_monte_carlo, sensitivity

CERTAIN = {
    "usage": {"monthly_input_tokens": 300e6, "monthly_output_tokens": 100e6},
    "api": {"input_price_per_mtok": 2.5, "output_price_per_mtok": 10.0},
    # Fix the GPU prices, which otherwise default to their low/typical/high range.
    "self_hosted": {"training_gpu_price_per_hour": 3.0, "serving_gpu_price_per_hour": 1.0},
}


def parse(**updates) -> Scenario:
    return Scenario.parse(CERTAIN).apply(updates)


def test_without_ranges_every_quantile_is_the_deterministic_total():
    s = parse()
    mc = run_monte_carlo(s, samples=500, seed=1)
    det = compute_tco(s)
    assert mc.uncertain_inputs == []
    for d in mc.paths:
        total = det.path(d.id).total
        assert d.p10 == pytest.approx(total) and d.p50 == pytest.approx(total) and d.p90 == pytest.approx(total)
    assert mc.path(det.cheapest).probability_cheapest == 1.0


def test_same_seed_same_result_other_seed_differs():
    s = parse(**{"api.input_price_per_mtok": {"low": 2.0, "base": 2.5, "high": 3.0}})
    a, b = run_monte_carlo(s, samples=2000, seed=7), run_monte_carlo(s, samples=2000, seed=7)
    assert a == b
    assert run_monte_carlo(s, samples=2000, seed=8).path("api").p50 != a.path("api").p50


def test_quantiles_match_the_triangular_distribution():
    # Input price ~ Triangular(2.0, 2.5, 3.0). Its CDF below the mode is (x-a)^2 / ((b-a)(c-a)), so
    # P10 = a + sqrt(0.1 (b-a)(c-a)) = 2 + sqrt(0.05); the median is the mode 2.5 (symmetric).
    # The API total is linear in the price: 36 x (300 x price + 1,000) + 62,320 of prompt labour.
    s = parse(**{"api.input_price_per_mtok": {"low": 2.0, "base": 2.5, "high": 3.0}})
    mc = run_monte_carlo(s, samples=10_000, seed=0)

    def api_total(price: float) -> float:
        return 36 * (300 * price + 1000) + 62_320

    assert mc.path("api").p10 == pytest.approx(api_total(2 + math.sqrt(0.05)), rel=2e-3)
    assert mc.path("api").p50 == pytest.approx(api_total(2.5), rel=2e-3)
    assert mc.path("api").p90 == pytest.approx(api_total(3 - math.sqrt(0.05)), rel=2e-3)
    assert mc.uncertain_inputs == ["api.input_price_per_mtok"]


def test_probabilities_sum_to_one_and_ruled_out_paths_never_win():
    s = parse(**{
        "usage.monthly_input_tokens": {"low": 1e8, "base": 3e9, "high": 6e10},
        "constraints.on_prem_required": True,
    })  # fmt: skip
    mc = run_monte_carlo(s, samples=3000, seed=0)
    assert sum(d.probability_cheapest for d in mc.paths) == pytest.approx(1.0)
    for d in mc.paths:
        assert d.p10 <= d.p50 <= d.p90
        if d.id in ("api", "api_rag", "vendor_finetune"):
            assert not d.feasible and d.probability_cheapest == 0.0


def test_wide_volume_range_splits_the_win():
    # From 30M to 100B input tokens a month: the API wins at the bottom, self-hosting at the top
    # (the deterministic break-even of this scenario is a few billion tokens a month).
    s = parse(**{"usage.monthly_input_tokens": {"low": 3e7, "base": 1e9, "high": 1e11}})
    mc = run_monte_carlo(s, samples=4000, seed=3)
    assert 0 < mc.path("api").probability_cheapest < 1
    assert mc.path("self_hosted_lora").probability_cheapest > 0


def test_samples_out_of_range_are_refused():
    with pytest.raises(AdvisorError, match="samples"):
        run_monte_carlo(parse(), samples=0)


def test_tornado_swing_of_api_price_by_hand():
    # Input price range 2.0..3.0: the API total moves by 36 x 300M x $1.00/1M = $10,800.
    s = parse(**{"api.input_price_per_mtok": {"low": 2.0, "base": 2.5, "high": 3.0}})
    row = next(r for r in sensitivity(s).rows if r.input == "api.input_price_per_mtok")
    assert row.from_range and (row.low, row.high) == (2.0, 3.0)
    assert row.swing["api"] == pytest.approx(10_800.0)
    assert row.swing["self_hosted_lora"] == pytest.approx(0.0)


def test_point_values_swing_by_a_quarter_capped_at_bounds():
    rows = {r.input: r for r in sensitivity(parse(**{"api.cached_input_share": 0.9})).rows}
    assert (rows["api.output_price_per_mtok"].low, rows["api.output_price_per_mtok"].high) == (7.5, 12.5)
    assert rows["api.cached_input_share"].high == 1.0  # 0.9 x 1.25 capped at the fraction's ceiling


def test_volume_that_flips_the_decision_ranks_first():
    s = parse(**{
        "usage.monthly_input_tokens": {"low": 3e7, "base": 3e9, "high": 3e11},
        "usage.monthly_output_tokens": 1e9,
    })  # fmt: skip
    result = sensitivity(s)
    top = result.rows[0]
    assert top.input == "usage.monthly_input_tokens"
    assert top.decision_changes and top.cheapest_low != top.cheapest_high
    assert {r.input for r in result.rows} >= {"api.input_price_per_mtok", "data.examples"}
    assert result.cheapest in PATHS
