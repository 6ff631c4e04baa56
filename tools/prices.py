"""API prices per 1M tokens: the data bundled with the genai-prices package (offline), with our
overrides from ``tools/data/api_prices.yaml``. Every price is a Sourced figure with its date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

from tools.common import Frozen, Sourced, UnknownNameError, load_data_file

# Providers whose own model ids win when a bare name ("gpt-4o") exists at several resellers.
FIRST_PARTY = ("openai", "anthropic", "google", "mistral", "deepseek", "x-ai", "cohere", "meta")


class ApiModelPrice(Frozen):
    """List prices of one hosted model, per 1M tokens."""

    id: str  # "provider/model", e.g. "openai/gpt-4o"
    provider: str
    name: str
    input_price_per_mtok: Sourced
    output_price_per_mtok: Sourced
    cached_input_price_per_mtok: Sourced | None = None


def _genai_prices_version() -> str:
    from importlib.metadata import version

    return version("genai-prices")


def _price_value(price) -> float | None:
    """A flat price, or the base tier of a tiered one (long-context tiers are not modelled)."""
    if price is None:
        return None
    if isinstance(price, Decimal | int | float):
        return float(price)
    base = getattr(price, "base", None)
    return float(base) if base is not None else None


def _current_price(model, snapshot_date: date):
    """The price in force on the snapshot date (the last one started by then), and its start date."""
    from genai_prices import types

    prices = model.prices
    if isinstance(prices, types.ModelPrice):
        return prices, snapshot_date
    chosen, when = None, snapshot_date
    for conditional in prices:
        constraint = conditional.constraint
        if constraint is None:
            chosen, when = conditional.prices, snapshot_date
        elif isinstance(constraint, types.StartDateConstraint) and constraint.start_date <= snapshot_date:
            chosen, when = conditional.prices, constraint.start_date
    return chosen, when


def _snapshot_date(providers, today: date) -> date:
    """Undated prices are as of the data snapshot: its newest price change already in force today
    (genai-prices, too, picks the price in force at the request's date)."""
    from genai_prices import types

    newest = date(2024, 1, 1)
    for provider in providers:
        for model in provider.models:
            if isinstance(model.prices, list):
                for conditional in model.prices:
                    constraint = conditional.constraint
                    if isinstance(constraint, types.StartDateConstraint) and constraint.start_date <= today:
                        newest = max(newest, constraint.start_date)
    return newest


def _from_genai_prices() -> dict[str, ApiModelPrice]:
    from genai_prices.data import providers

    snapshot = _snapshot_date(providers, date.today())
    package = f"genai-prices {_genai_prices_version()}"
    models: dict[str, ApiModelPrice] = {}
    for provider in providers:
        url = (provider.pricing_urls or [None])[0]
        for model in provider.models:
            price, as_of = _current_price(model, snapshot)
            if price is None:
                continue
            input_price = _price_value(price.input_mtok)
            output_price = _price_value(price.output_mtok)
            if input_price is None or output_price is None:
                continue
            source = f"{package} bundled data" + (f" ({url})" if url else "")
            cached = _price_value(price.cache_read_mtok)
            model_id = f"{provider.id}/{model.id}"
            models[model_id] = ApiModelPrice(
                id=model_id,
                provider=provider.id,
                name=model.name or model.id,
                input_price_per_mtok=Sourced(
                    value=input_price, unit="USD/1M input tokens", source=source, as_of=as_of
                ),
                output_price_per_mtok=Sourced(
                    value=output_price, unit="USD/1M output tokens", source=source, as_of=as_of
                ),
                cached_input_price_per_mtok=None
                if cached is None
                else Sourced(value=cached, unit="USD/1M cached input tokens", source=source, as_of=as_of),
            )
    return models


@cache
def _overrides() -> dict[str, ApiModelPrice]:
    models = (ApiModelPrice.model_validate(e) for e in load_data_file("api_prices.yaml")["models"])
    return {m.id: m for m in models}


@cache
def _catalogue() -> dict[str, ApiModelPrice]:
    return {**_from_genai_prices(), **_overrides()}


def _override_for(key: str) -> ApiModelPrice | None:
    """Our own entries answer their names without loading genai-prices (a quicker cold start);
    they win over the bundled data anyway."""
    for model in _overrides().values():
        bare = model.id.split("/", 1)[1]
        if key in (model.id.lower(), bare.lower(), model.name.lower(), f"{model.provider}:{bare}".lower()):
            return model
    return None


@cache
def _aliases() -> dict[str, str]:
    """Lower-case lookup keys -> model id: full ids, bare model ids (first party first), names."""
    aliases: dict[str, str] = {}
    models = _catalogue()
    rank = {p: i for i, p in enumerate(FIRST_PARTY)}
    ordered = sorted(models.values(), key=lambda m: (rank.get(m.provider, len(rank)), m.id))
    for model in ordered:
        bare = model.id.split("/", 1)[1]
        for key in (bare, model.name, f"{model.provider}:{bare}"):
            aliases.setdefault(key.lower(), model.id)
    for model in models.values():
        aliases[model.id.lower()] = model.id
    return aliases


def list_api_models() -> list[ApiModelPrice]:
    """Every priced model: genai-prices' bundled data plus our overrides, sorted by id."""
    return sorted(_catalogue().values(), key=lambda m: m.id)


def get_api_model(name: str, field: str = "api.model") -> ApiModelPrice:
    """Look a model up by "provider/model", bare model id ("gpt-4o") or display name.

    >>> get_api_model("gpt-4o").input_price_per_mtok.value
    2.5
    """
    key = name.strip().lower()
    override = _override_for(key)
    if override is not None:
        return override
    model_id = _aliases().get(key)
    if model_id is None:
        known = [m.id.split("/", 1)[1] for m in _catalogue().values() if m.provider in FIRST_PARTY]
        raise UnknownNameError(field, name, sorted(set(known)) + sorted(_catalogue()))
    return _catalogue()[model_id]


class VendorOffering(Frozen):
    """A vendor's hosted fine-tuning: training price, the tuned model's premium, its minimums."""

    id: str
    name: str
    base_model: str
    training_price_per_mtok: Sourced
    inference_premium: Sourced
    minimum_monthly_usd: Sourced
    minimum_training_usd: Sourced


@cache
def _vendor_catalogue() -> dict[str, VendorOffering]:
    entries = load_data_file("finetune_vendors.yaml")["vendors"]
    return {key: VendorOffering.model_validate({"id": key, **entry}) for key, entry in entries.items()}


def list_vendor_offerings() -> list[VendorOffering]:
    """Vendor fine-tuning offerings from ``tools/data/finetune_vendors.yaml``."""
    return list(_vendor_catalogue().values())


def get_vendor_offering(name: str, field: str = "vendor.offering") -> VendorOffering:
    """Look an offering up by id ("openai/gpt-4o") or by its bare model id if unambiguous."""
    catalogue = _vendor_catalogue()
    key = name.strip().lower()
    if key in catalogue:
        return catalogue[key]
    bare = [o for o in catalogue.values() if o.id.split("/", 1)[1] == key]
    if len(bare) >= 1:
        return min(bare, key=lambda o: (not o.id.startswith("openai/"), o.id))
    raise UnknownNameError(field, name, list(catalogue))
