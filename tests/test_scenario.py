"""The Scenario: the issue's minimal file validates, every usage form is accepted, bad input is
refused with the field and its allowed range, and what-ifs (apply) re-validate."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pydantic import ValidationError

from tools.scenario import Range, Scenario, ScenarioError, scenario_json_schema

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = {
    "horizon_months": 36,
    "usage": {"monthly_input_tokens": 300_000_000, "monthly_output_tokens": 100_000_000, "monthly_growth": 0.0},
    "api": {"input_price_per_mtok": 2.50, "output_price_per_mtok": 10.00},
}


def with_usage(**usage) -> dict:
    return {"usage": usage}


def test_minimal_scenario_of_the_issue_validates_with_defaults():
    s = Scenario.from_yaml(ROOT / "examples" / "minimal.yaml")
    assert s == Scenario.parse(MINIMAL)
    assert s.horizon_months == 36
    assert s.usage.form == "tokens"
    assert s.api.model == "openai/gpt-4o"  # default API model, resolved to its catalogue id
    assert s.self_hosted.training_gpu == "h100-80gb"  # compute's canonical GPU id


@pytest.mark.parametrize(
    ("usage", "form"),
    [
        ({"daily_input_tokens": 1e6, "daily_output_tokens": 2e5}, "tokens"),
        ({"yearly_total_tokens": 1e9, "input_output_ratio": 4}, "total"),
        ({"requests_per_month": 1e5, "input_tokens_per_request": 800, "output_tokens_per_request": 200}, "requests"),
        ({"monthly_api_spend_usd": 12_000}, "spend"),
    ],
)
def test_every_usage_form_is_accepted(usage, form):
    assert Scenario.parse({"usage": usage}).usage.form == form


@pytest.mark.parametrize(
    ("data", "field", "needle"),
    [
        ({**MINIMAL, "horizon_months": 0}, "horizon_months", "<= 120"),
        ({**MINIMAL, "horizon_months": 121}, "horizon_months", ">= 1"),
        (with_usage(monthly_total_tokens=-5), "usage.monthly_total_tokens", ">= 0"),
        (with_usage(monthly_total_tokens=math.nan), "usage.monthly_total_tokens", "finite"),
        (with_usage(monthly_total_tokens=math.inf), "usage.monthly_total_tokens", "finite"),
        (with_usage(monthly_total_tokens="inf"), "usage.monthly_total_tokens", "finite"),
        ({**with_usage(monthly_total_tokens=1), "api": {"cached_input_share": 1.5}}, "api.cached_input_share", "<= 1"),
        ({**with_usage(monthly_total_tokens=1), "api": {"batch_share": -0.1}}, "api.batch_share", ">= 0"),
        (
            {**with_usage(monthly_total_tokens=1), "data": {"holdout_fraction": {"low": 0.1, "high": 2}}},
            "data.holdout_fraction",
            "<= 1",
        ),
        (with_usage(monthly_total_tokens={"low": 3, "base": 2, "high": 4}), "usage.monthly_total_tokens", "low <= base"),
        (with_usage(monthly_growth=2.0, monthly_total_tokens=1), "usage.monthly_growth", "<= 1"),
        # a range whose ends are no numbers (found by the HTTP fuzzing test as a 500)
        (
            {**with_usage(monthly_total_tokens=1), "data": {"synthetic_examples": {"low": None, "high": {}}}},
            "data.synthetic_examples.low",
            "",
        ),
    ],
)
def test_bad_numbers_name_the_field_and_the_allowed_range(data, field, needle):
    with pytest.raises(ScenarioError) as err:
        Scenario.parse(data)
    assert err.value.field == field
    assert needle in str(err.value)
    assert str(err.value).startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("section", "key", "name", "field", "suggestion"),
    [
        ("self_hosted", "training_gpu", "h-1000", "self_hosted.training_gpu", "h100-80gb"),
        ("self_hosted", "serving_gpu", "l40", "self_hosted.serving_gpu", "l40s"),
        ("self_hosted", "model", "llama-3.1-8", "self_hosted.model", "llama-3.1-8b"),
        ("api", "model", "gpt-4oo", "api.model", "gpt-4o"),
        ("vendor", "offering", "openai/gpt-4o-mni", "vendor.offering", "openai/gpt-4o-mini"),
    ],
)
def test_unknown_names_suggest_close_matches(section, key, name, field, suggestion):
    with pytest.raises(ScenarioError) as err:
        Scenario.parse({**with_usage(monthly_total_tokens=1), section: {key: name}})
    assert err.value.field == field
    assert "unknown name" in str(err.value)
    assert repr(suggestion) in str(err.value)


def test_unknown_field_suggests_the_close_one():
    with pytest.raises(ScenarioError) as err:
        Scenario.parse({**with_usage(monthly_total_tokens=1), "api": {"input_price_per_mtk": 2}})
    assert err.value.field == "api.input_price_per_mtk"
    assert "'input_price_per_mtok'" in str(err.value)


@pytest.mark.parametrize("key", ["Range", "float", "function-after"])
def test_an_unknown_key_named_like_a_union_member_is_still_named(key):
    # pydantic's union member tags share these names; the key the caller sent is kept (the HTTP
    # fuzz test found {"Range": null} answered with a 500)
    with pytest.raises(ScenarioError) as err:
        Scenario.parse({**with_usage(monthly_total_tokens=1), key: None})
    assert err.value.field == key
    assert "unknown field" in str(err.value)


@pytest.mark.parametrize(
    "usage",
    [
        {},  # no volume at all
        {"monthly_input_tokens": 1},  # half a pair
        {"monthly_total_tokens": 1, "monthly_api_spend_usd": 5},  # two forms
        {"requests_per_day": 10},  # requests without tokens per request
    ],
)
def test_usage_needs_exactly_one_complete_form(usage):
    with pytest.raises(ScenarioError) as err:
        Scenario.parse({"usage": usage})
    assert err.value.field == "usage"


def test_missing_usage_is_reported():
    with pytest.raises(ScenarioError, match="usage: is required"):
        Scenario.parse({"horizon_months": 12})


def test_ranges_accept_mapping_list_and_missing_base():
    s = Scenario.parse(
        {
            "usage": {"monthly_total_tokens": [1e6, 2e6, 4e6], "monthly_growth": {"low": 0.0, "high": 0.04}},
            "api": {"input_price_per_mtok": {"low": 2, "base": 2.5, "high": 3}},
        }
    )
    assert s.usage.monthly_total_tokens == Range(low=1e6, base=2e6, high=4e6)
    assert s.usage.monthly_growth == Range(low=0.0, base=0.02, high=0.04)  # base = midpoint
    assert s.api.input_price_per_mtok.base == 2.5


def test_scenario_is_frozen():
    s = Scenario.parse(MINIMAL)
    with pytest.raises(ValidationError):
        s.horizon_months = 12  # type: ignore[misc]


def test_apply_takes_dotted_and_nested_updates_and_revalidates():
    s = Scenario.parse(MINIMAL)
    t = s.apply({"usage.monthly_growth": 0.05, "api": {"batch_share": 0.3}, "horizon_months": 24})
    assert (t.usage.monthly_growth, t.api.batch_share, t.horizon_months) == (0.05, 0.3, 24)
    assert t.api.input_price_per_mtok == 2.5  # untouched fields survive
    assert s.usage.monthly_growth == 0.0  # the original is unchanged
    with pytest.raises(ScenarioError, match="horizon_months"):
        s.apply({"horizon_months": 500})


def test_apply_with_a_new_volume_form_replaces_the_old_one():
    s = Scenario.parse(MINIMAL).apply({"usage.monthly_api_spend_usd": 5000})
    assert s.usage.form == "spend"
    assert s.usage.monthly_input_tokens is None
    assert s.usage.monthly_growth == 0.0


def test_from_yaml_errors_are_scenario_errors(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        Scenario.from_yaml(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("usage: [1, 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        Scenario.from_yaml(bad)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("42\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="mapping"):
        Scenario.from_yaml(scalar)


def test_json_schema_describes_the_nested_sections_and_ranges():
    schema = scenario_json_schema()
    assert schema["required"] == ["usage"]
    assert {"usage", "api", "rag", "data", "vendor", "self_hosted", "operations", "constraints"} <= set(
        schema["properties"]
    )
    usage = schema["$defs"]["Usage"]["properties"]["monthly_input_tokens"]
    assert "Range" in str(usage)


@pytest.mark.parametrize("name", ["minimal", "support_triage", "hospital_onprem", "small_team"])
def test_examples_validate(name):
    Scenario.from_yaml(ROOT / "examples" / f"{name}.yaml")


def test_apply_changing_one_half_of_a_pair_keeps_the_other():
    s = Scenario.parse(MINIMAL).apply({"usage.monthly_input_tokens": 1e9})
    assert (s.usage.monthly_input_tokens, s.usage.monthly_output_tokens) == (1e9, 100_000_000)
