"""API and vendor fine-tuning prices: genai-prices' bundled data plus our sourced overrides."""

from __future__ import annotations

import pytest

from tools.common import UnknownNameError
from tools.prices import get_api_model, get_vendor_offering, list_api_models, list_vendor_offerings


def test_override_carries_openai_list_price_with_source_and_date():
    # OpenAI's pricing page (Aug 2024): gpt-4o-2024-08-06 $2.50 in, $10.00 out, $1.25 cached in.
    m = get_api_model("gpt-4o")
    assert m.id == "openai/gpt-4o"
    assert (m.input_price_per_mtok.value, m.output_price_per_mtok.value) == (2.50, 10.00)
    assert m.cached_input_price_per_mtok is not None and m.cached_input_price_per_mtok.value == 1.25
    assert m.input_price_per_mtok.source.startswith("https://openai.com")
    assert str(m.input_price_per_mtok.as_of) == "2024-08-06"


def test_bundled_genai_prices_data_is_used_offline():
    # Anthropic's published list price for Claude 3.5 Sonnet: $3 in / $15 out per 1M tokens.
    m = get_api_model("claude-3-5-sonnet")
    assert m.provider == "anthropic"
    assert (m.input_price_per_mtok.value, m.output_price_per_mtok.value) == (3.0, 15.0)
    assert "genai-prices" in m.input_price_per_mtok.source


def test_catalogue_is_large_and_every_price_is_sourced_and_non_negative():
    models = list_api_models()
    assert len(models) > 200
    ids = [m.id for m in models]
    assert len(ids) == len(set(ids))
    for m in models:
        assert "/" in m.id
        assert m.input_price_per_mtok.value >= 0 and m.output_price_per_mtok.value >= 0
        assert m.input_price_per_mtok.source and m.input_price_per_mtok.as_of is not None


@pytest.mark.parametrize("name", ["openai/gpt-4o", "OpenAI/GPT-4o", "openai:gpt-4o", " gpt-4o "])
def test_lookup_is_tolerant_of_spelling(name):
    assert get_api_model(name).id == "openai/gpt-4o"


def test_bare_name_prefers_the_first_party_provider():
    # gpt-4o is resold by azure, openrouter...; the bare name means OpenAI's own.
    assert get_api_model("gpt-4o-mini").provider == "openai"


def test_unknown_model_names_the_field_and_suggests():
    with pytest.raises(UnknownNameError) as err:
        get_api_model("gpt-4o-mnii", field="api.model")
    assert err.value.field == "api.model"
    assert "gpt-4o-mini" in err.value.suggestions


def test_vendor_offerings_have_training_price_premium_and_minimums():
    # OpenAI fine-tuning table (Aug 2024): GPT-4o training $25/1M; tuned model $3.75/$15 vs $2.50/$10,
    # i.e. a 50% premium; GPT-4o mini training $3/1M, $0.30/$1.20 vs $0.15/$0.60, i.e. 100%.
    gpt4o = get_vendor_offering("openai/gpt-4o")
    assert gpt4o.training_price_per_mtok.value == 25.0
    assert gpt4o.inference_premium.value == pytest.approx(3.75 / 2.50 - 1)
    mini = get_vendor_offering("gpt-4o-mini")
    assert mini.id == "openai/gpt-4o-mini"
    assert mini.inference_premium.value == pytest.approx(1.20 / 0.60 - 1)
    for offering in list_vendor_offerings():
        assert offering.minimum_monthly_usd.value >= 0
        get_api_model(offering.base_model)  # each names a priced base model


def test_unknown_vendor_offering_suggests():
    with pytest.raises(UnknownNameError) as err:
        get_vendor_offering("openai/gpt-4-o")
    assert "openai/gpt-4o" in err.value.suggestions
