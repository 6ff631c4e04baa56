"""tools/verdict.py: the four-pillar verdict on the analysis's own cases, bad input, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tools.verdict import (
    DataAndConsistency,
    DeploymentConstraints,
    TaskSpecificity,
    TcoSummary,
    VerdictInput,
    decide_verdict,
    verdict_figure,
)

# Pathway order, from "stay on the API" to "fine-tune" (the analysis's incremental approach).
RANK = {"prompting": 0, "rag": 1, "domain_base_model": 2, "lora_pilot": 3, "fine_tune": 4}


def tco(spend: float, cheapest: str = "self_hosted_lora", stable: bool = True) -> TcoSummary:
    totals = {"api": 9e6, "api_rag": 9.5e6, "vendor_finetune": 7e6, "self_hosted_lora": 5e6, "self_hosted_full": 8e6}
    totals[cheapest] = 1e6  # make the named path the cheapest
    return TcoSummary(totals_by_path=totals, monthly_api_spend=spend, task_stable=stable)


def inp(task=None, data=None, constraints=None, tco_summary=None) -> VerdictInput:
    return VerdictInput(
        task=task or TaskSpecificity(domain="general"),
        data=data or DataAndConsistency(proprietary_data="none"),
        constraints=constraints or DeploymentConstraints(),
        tco=tco_summary,
    )


SPECIALISED = TaskSpecificity(domain="highly_specialised", prompting_reaches_target="no")
MOAT = DataAndConsistency(proprietary_data="defensible_moat", consistency="deterministic")


def test_threshold_is_the_analysis_figure_and_sourced():
    fig = verdict_figure("api_spend_at_scale")
    assert fig.value == 100_000 and "hundreds of thousands" in fig.source


def test_general_task_stays_on_the_api_with_prompting():
    # Pillar 1: general tasks (sentiment, marketing copy) -> prompting may suffice
    v = decide_verdict(inp(TaskSpecificity(domain="general", prompting_reaches_target="yes")))
    assert (v.recommendation, v.suggested_path, v.deployment) == ("prompting", "api", "vendor_api")
    assert [r.pillar for r in v.reasons] == [1, 2, 3, 4]
    assert v.reasons[0].leans == "api"


def test_public_knowledge_points_to_rag():
    # Pillar 2: data largely public -> RAG gives specificity without retraining
    v = decide_verdict(inp(TaskSpecificity(domain="moderately_specialised"),
                           DataAndConsistency(proprietary_data="some", data_mostly_public=True)))
    assert (v.recommendation, v.suggested_path) == ("rag", "api_rag")
    assert v.reasons[1].leans == "rag"


def test_specialised_moat_at_massive_spend_fine_tunes_on_the_cheapest_route():
    v = decide_verdict(inp(SPECIALISED, MOAT, tco_summary=tco(250_000, "self_hosted_lora")))
    assert (v.recommendation, v.fine_tune_route, v.suggested_path) == ("fine_tune", "self_hosted", "self_hosted_lora")
    assert all(r.leans == "adapt" for r in v.reasons if r.pillar in (1, 2, 4))
    v = decide_verdict(inp(SPECIALISED, MOAT, tco_summary=tco(250_000, "vendor_finetune")))
    assert (v.recommendation, v.fine_tune_route, v.suggested_path) == ("fine_tune", "vendor", "vendor_finetune")


def test_below_the_spend_scale_the_same_case_is_a_lora_pilot_and_says_what_would_change():
    v = decide_verdict(inp(SPECIALISED, MOAT, tco_summary=tco(50_000)))
    assert (v.recommendation, v.suggested_path) == ("lora_pilot", "self_hosted_lora")
    assert v.reasons[3].leans == "neutral" and "$100,000/month" in v.reasons[3].finding
    assert any("API spend reached $100,000/month" in c and "fine-tune" in c for c in v.what_would_change)
    # and it is true: at exactly the threshold (>=) the advice becomes fine-tuning
    assert decide_verdict(inp(SPECIALISED, MOAT, tco_summary=tco(100_000))).recommendation == "fine_tune"
    assert any(a.name == "verdict.lora_share_of_full_gains_low" and a.value == 0.8 for a in v.assumptions)
    assert "80%-90%" in v.headline


def test_an_unstable_task_is_not_a_cost_case():
    v = decide_verdict(inp(SPECIALISED, MOAT, tco_summary=tco(500_000, stable=False)))
    assert v.recommendation == "lora_pilot"


def test_regulated_on_prem_favours_a_self_hosted_fine_tune_even_when_the_api_is_cheaper():
    # Pillar 3: data cannot leave the premises -> a smaller model fine-tuned on internal infrastructure
    onprem = DeploymentConstraints(regulated_industry=True, data_must_stay_on_prem=True)
    v = decide_verdict(inp(SPECIALISED, MOAT, onprem, tco(20_000, "api")))
    assert (v.recommendation, v.deployment, v.fine_tune_route) == ("fine_tune", "self_hosted", "self_hosted")
    assert v.reasons[2].leans == "adapt" and "premises" in v.reasons[2].finding
    assert "API is ruled out" in v.headline


def test_on_prem_general_task_serves_an_open_model_in_house_without_training():
    onprem = DeploymentConstraints(data_must_stay_on_prem=True)
    v = decide_verdict(inp(TaskSpecificity(domain="general", prompting_reaches_target="yes"), constraints=onprem))
    assert (v.recommendation, v.deployment, v.suggested_path) == ("prompting", "self_hosted", None)
    assert "your own infrastructure" in v.headline
    # The API is ruled out here, so the headline must not tell them to stay on it.
    assert "API" not in v.headline


def test_regulated_with_acceptable_vendor_terms_keeps_the_api():
    v = decide_verdict(inp(constraints=DeploymentConstraints(regulated_industry=True)))
    assert v.deployment == "vendor_api" and v.reasons[2].leans == "api"
    strict = DeploymentConstraints(regulated_industry=True, vendor_privacy_terms_acceptable=False)
    assert decide_verdict(inp(constraints=strict)).deployment == "self_hosted"


def test_specialised_domain_without_a_moat_starts_from_a_domain_base_model():
    task = TaskSpecificity(domain="highly_specialised", domain_base_model_available=True)
    v = decide_verdict(inp(task, DataAndConsistency(proprietary_data="some")))
    assert (v.recommendation, v.suggested_path) == ("domain_base_model", None)


def test_specialised_domain_goes_rag_first_then_lora_once_rag_fell_short():
    assert decide_verdict(inp(TaskSpecificity(domain="highly_specialised"))).recommendation == "rag"
    tried = TaskSpecificity(domain="highly_specialised", rag_already_tried=True)
    assert decide_verdict(inp(tried)).recommendation == "lora_pilot"


def test_massive_spend_on_a_general_task_is_a_cost_pilot_not_a_programme():
    v = decide_verdict(inp(TaskSpecificity(domain="general", prompting_reaches_target="yes"), tco_summary=tco(400_000)))
    assert v.recommendation == "lora_pilot"
    assert v.reasons[3].leans == "adapt" and "$400,000/month" in v.reasons[3].finding


def test_without_tco_the_cost_pillar_is_open_and_the_advice_says_so():
    v = decide_verdict(inp())
    assert v.reasons[3].leans == "neutral"
    assert any("Compute the 3-year TCO" in c for c in v.what_would_change)


def test_reason_arithmetic_in_the_cost_finding():
    # cheapest self_hosted_lora 1,000,000 vs best API path 9,000,000 -> 8,000,000 saved over 3 years
    v = decide_verdict(inp(SPECIALISED, MOAT, tco_summary=tco(250_000)))
    assert "$1,000,000" in v.reasons[3].finding and "$8,000,000 below" in v.reasons[3].finding


# ---------------------------------------------------------------------------------------------
# bad input


def test_tco_summary_rejects_bad_numbers_and_missing_paths():
    with pytest.raises(ValidationError, match="api"):
        TcoSummary(totals_by_path={"self_hosted_lora": 1.0}, monthly_api_spend=1)
    with pytest.raises(ValidationError, match="at least one of"):
        TcoSummary(totals_by_path={"api": 1.0}, monthly_api_spend=1)
    with pytest.raises(ValidationError, match="finite"):
        TcoSummary(totals_by_path={"api": float("nan"), "self_hosted_lora": 1.0}, monthly_api_spend=1)
    with pytest.raises(ValidationError, match="monthly_api_spend"):
        TcoSummary(totals_by_path={"api": 1.0, "self_hosted_lora": 1.0}, monthly_api_spend=-5)
    with pytest.raises(ValidationError, match="monthly_api_spend"):
        TcoSummary(totals_by_path={"api": 1.0, "self_hosted_lora": 1.0}, monthly_api_spend=float("inf"))
    with pytest.raises(ValidationError, match="horizon_months"):
        TcoSummary(totals_by_path={"api": 1.0, "self_hosted_lora": 1.0}, monthly_api_spend=1, horizon_months=0)
    with pytest.raises(ValidationError, match="totals_by_path"):
        TcoSummary(totals_by_path={"api": 1.0, "on_prem_magic": 1.0}, monthly_api_spend=1)


def test_unknown_answers_are_rejected_with_the_field_name():
    with pytest.raises(ValidationError, match="domain"):
        TaskSpecificity(domain="very special")
    with pytest.raises(ValidationError, match="consistency"):
        DataAndConsistency(proprietary_data="none", consistency="sometimes")
    with pytest.raises(ValidationError, match="extra"):
        DeploymentConstraints(on_prem=True)


# ---------------------------------------------------------------------------------------------
# properties

tasks = st.builds(
    TaskSpecificity,
    domain=st.sampled_from(["general", "moderately_specialised", "highly_specialised"]),
    prompting_reaches_target=st.sampled_from(["yes", "no", "unknown"]),
    rag_already_tried=st.booleans(),
    domain_base_model_available=st.booleans(),
)
datas = st.builds(
    DataAndConsistency,
    proprietary_data=st.sampled_from(["none", "some", "defensible_moat"]),
    data_mostly_public=st.booleans(),
    consistency=st.sampled_from(["variety_ok", "consistent", "deterministic"]),
)
constraints_ = st.builds(
    DeploymentConstraints,
    regulated_industry=st.booleans(),
    data_must_stay_on_prem=st.booleans(),
    realtime_latency_required=st.booleans(),
    vendor_privacy_terms_acceptable=st.booleans(),
)
paths = st.sampled_from(["api", "api_rag", "vendor_finetune", "self_hosted_lora", "self_hosted_full"])


@given(tasks, datas, constraints_, paths, st.floats(0, 1e6), st.floats(0, 1e6), st.booleans())
def test_more_api_spend_never_moves_the_advice_back_toward_the_api(t, d, c, cheapest, s1, s2, stable):
    lo, hi = sorted((s1, s2))
    v_lo = decide_verdict(inp(t, d, c, tco(lo, cheapest, stable)))
    v_hi = decide_verdict(inp(t, d, c, tco(hi, cheapest, stable)))
    assert RANK[v_hi.recommendation] >= RANK[v_lo.recommendation]


@given(tasks, datas, constraints_, paths, st.floats(0, 1e6), st.booleans())
def test_every_verdict_has_one_reason_per_pillar_and_consistent_paths(t, d, c, cheapest, spend, stable):
    v = decide_verdict(inp(t, d, c, tco(spend, cheapest, stable)))
    assert [r.pillar for r in v.reasons] == [1, 2, 3, 4]
    assert (v.fine_tune_route is not None) == (v.recommendation == "fine_tune")
    if v.deployment == "self_hosted":
        assert v.suggested_path not in ("api", "api_rag")
    # fine-tuning off-premises needs the cost gate: a fine-tune path cheapest at scale on a stable task
    must_self_host = c.data_must_stay_on_prem or (c.regulated_industry and not c.vendor_privacy_terms_acceptable)
    if v.recommendation == "fine_tune" and not must_self_host:
        assert cheapest in ("vendor_finetune", "self_hosted_lora", "self_hosted_full")
        assert spend >= 100_000 and stable


@given(tasks, datas, constraints_, paths, st.floats(0, 1e6))
def test_what_would_change_lists_only_real_changes(t, d, c, cheapest, spend):
    v = decide_verdict(inp(t, d, c, tco(spend, cheapest)))
    assert all(change.startswith("If ") for change in v.what_would_change)
    # the one change we can replay from inputs: the spend threshold
    flip = [w for w in v.what_would_change if "API spend reached" in w]
    if flip:
        again = decide_verdict(inp(t, d, c, tco(max(spend, 100_000), cheapest)))
        assert again.recommendation != v.recommendation


def test_module_docstring_example_runs():
    import doctest

    import tools.verdict

    assert doctest.testmod(tools.verdict).failed == 0
