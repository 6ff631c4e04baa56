"""The grounding check on its own: figures are compared by value across spellings, within the precision
shown; ungrounded ones are found and removed; passages and markup never count as evidence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent import format as fmt
from agent.grounding import FLAG, build_evidence, check_answer, extract_figures

RESULT = {  # a calculator summary as the tools write it
    "paths": [{"path": "api", "total_usd": 63000.0, "month_1_usd": 1750.0, "vs_api_pct": 0.0},
              {"path": "self_hosted_lora", "total_usd": 558561.0, "vs_api_usd": -433241.0,
               "break_even_month": 14, "serving_gpus_month_1": 2}],
    "usage": {"monthly_growth_pct": 25.0, "month_1_total_tokens": 400_000_000.0, "input_output_ratio": 3.0},
    "cached_input_share": 0.25,
    "summary": "cheapest: API at $63,000",
}


@pytest.mark.parametrize("spelling", ["$1,750", "$1750.0", "$1.75k", "USD 1,750", "1,750 dollars", "$1,750.00"])
def test_money_spellings_are_one_value(spelling):
    report = check_answer(f"The API costs {spelling} a month.", build_evidence([RESULT], []))
    assert report.ok, report.ungrounded


@pytest.mark.parametrize("spelling", ["25%", "25 percent", "25.0%"])
def test_percent_matches_a_share_or_a_percentage(spelling):
    # 25 is stored as monthly_growth_pct, and 0.25 as a share: both ground "25%".
    assert check_answer(f"growth of {spelling}", build_evidence([RESULT], [])).ok
    only_share = {"cached_input_share": 0.25}
    assert check_answer(f"a cache hit rate of {spelling}", build_evidence([only_share], [])).ok


def test_counts_and_rounded_display():
    evidence = build_evidence([RESULT], [])
    for text in ["break-even in month 14", "2 GPUs", "400M tokens", "$558,561", "$0.56M", "a 3:1 ratio",
                 "$433,241 less"]:
        assert check_answer(text, evidence).ok, text


def test_invented_figures_are_found_and_removed():
    evidence = build_evidence([RESULT], [])
    report = check_answer("LoRA costs $558,561; it saves 41% and needs 9 GPUs, about $1.9M.", evidence, remove=True)
    assert [f.text for f in report.ungrounded] == ["41%", "9", "$1.9M"]
    assert report.answer == (f"LoRA costs $558,561; it saves {FLAG} and needs {FLAG} GPUs, about {FLAG}.")


def test_money_needs_a_money_result_and_zero_costs_need_a_source():
    evidence = build_evidence([{"break_even_month": 14, "total_usd": 0.0}], [])
    assert not check_answer("it costs $14", evidence).ok  # 14 is a month, not dollars
    assert check_answer("month 14", evidence).ok
    assert not check_answer("fine-tuning costs $0", evidence).ok
    assert check_answer("fine-tuning costs $0", build_evidence([], ["is it really $0?"])).ok


def test_users_own_words_ground_their_figures():
    evidence = build_evidence([], ["We spend $40k a month and grow 10% a year"])
    assert check_answer("At $40,000 a month and 10% growth a year", evidence).ok
    assert not check_answer("At $50,000 a month", evidence).ok


def test_markup_is_not_a_figure():
    text = "1. Stay on the API [1] with gpt-4o or llama-3-8b on H100s, priced per 1M tokens.\n\nSources: [1] *Guide*, 2. Hosting"
    assert extract_figures(text) == []


def test_passages_never_ground_a_figure():
    # Only calculator results and the user's words are evidence; retrieved text is not passed in.
    evidence = build_evidence([RESULT], [])
    assert not check_answer("The guide says LoRA reaches 85% of the gains.", evidence).ok


@given(st.floats(min_value=0.01, max_value=5e9, allow_nan=False, allow_infinity=False))
def test_every_displayed_amount_is_grounded_by_its_value(x):
    evidence = build_evidence([{"total_usd": x}], [])
    assert check_answer(f"total {fmt.money(x)}", evidence).ok, fmt.money(x)


@given(st.floats(min_value=1, max_value=9e14, allow_nan=False, allow_infinity=False))
def test_every_displayed_token_count_is_grounded_by_its_value(x):
    evidence = build_evidence([{"tokens": x}], [])
    assert check_answer(f"{fmt.tokens(x)} tokens", evidence).ok, fmt.tokens(x)


def test_a_horizon_in_months_grounds_whole_years():
    evidence = build_evidence([{"horizon_months": 36}], [])
    assert check_answer("over 3 years (36 months)", evidence).ok
    assert not check_answer("over 4 years", evidence).ok


def test_guidance_bullets_leave_out_the_heading_line():
    from agent.format import plain_sentences

    snippet = "## The financial gate for any custom model\n\nThe fourth pillar decides the rest. It costs 5%."
    assert plain_sentences(snippet, 1) == "The fourth pillar decides the rest."
