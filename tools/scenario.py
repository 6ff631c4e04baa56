"""The Scenario: everything the cost engine takes in, validated, with every assumption overridable.

A field left out (``None``) means "use the sourced default from ``tools/data/*.yaml``". Any number
marked ``Uncertain`` may be given as a plain number or as ``{low, base, high}`` for the Monte Carlo.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from tools.common import AdvisorError, Frozen

DAYS_PER_MONTH = 365.0 / 12.0  # average Gregorian month


class ScenarioError(AdvisorError):
    """A scenario that does not validate; ``field`` is the dotted path of the first bad input."""


class _Model(Frozen):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Range(_Model):
    """A three-point estimate: the Monte Carlo samples a triangular distribution over it."""

    low: float
    base: float
    high: float

    @model_validator(mode="before")
    @classmethod
    def _fill_base(cls, data: Any) -> Any:
        if isinstance(data, list | tuple) and len(data) == 3:
            return {"low": data[0], "base": data[1], "high": data[2]}
        if isinstance(data, Mapping) and "base" not in data and {"low", "high"} <= set(data):
            try:
                return {**data, "base": (float(data["low"]) + float(data["high"])) / 2.0}
            except (TypeError, ValueError):
                return data  # low or high is no number: field validation names it (a 422, not a 500)
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low <= self.base <= self.high:
            raise ValueError(f"needs low <= base <= high (got {self.low}, {self.base}, {self.high})")
        return self


class Bounds:
    """Allowed range of a numeric field; kept in the field's metadata so errors can quote it."""

    def __init__(self, ge: float | None = None, le: float | None = None, gt: float | None = None):
        self.ge, self.le, self.gt = ge, le, gt

    def describe(self) -> str:
        low = f"> {self.gt:g}" if self.gt is not None else (f">= {self.ge:g}" if self.ge is not None else "")
        high = f"<= {self.le:g}" if self.le is not None else ""
        if low and high:
            return f"{low} and {high}"
        return low or high or "any finite number"

    def check(self, x: float) -> None:
        if not math.isfinite(x):
            raise ValueError(f"must be a finite number, allowed range {self.describe()}")
        if (
            (self.ge is not None and x < self.ge)
            or (self.gt is not None and x <= self.gt)
            or (self.le is not None and x > self.le)
        ):
            raise ValueError(f"{x:g} is out of range; allowed range {self.describe()}")


def Uncertain(ge: float | None = None, le: float | None = None, gt: float | None = None) -> Any:
    """A number, or ``{low, base, high}``; every value must lie within the bounds."""
    bounds = Bounds(ge=ge, le=le, gt=gt)

    def check(value: float | Range) -> float | Range:
        for x in (value.low, value.base, value.high) if isinstance(value, Range) else (value,):
            bounds.check(x)
        return value

    def finite(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"must be a finite number, allowed range {bounds.describe()}")
        return value

    return Annotated[
        float | Range,
        BeforeValidator(finite),
        AfterValidator(check),
        bounds,
        Field(json_schema_extra={"x-allowed-range": bounds.describe()}),
    ]


def base_value(value: float | Range | None) -> float | None:
    """The central value of a number or a range."""
    return value.base if isinstance(value, Range) else value


TOKENS = Uncertain(ge=0, le=1e15)
MONEY = Uncertain(ge=0, le=1e10)
FRACTION = Uncertain(ge=0, le=1)
PRICE = Uncertain(ge=0, le=10_000)  # USD per 1M tokens
RATE = Uncertain(ge=0, le=5_000)  # USD per hour
HOURS = Uncertain(ge=0, le=1e6)


class Usage(_Model):
    """Monthly usage in any one of four forms (see ``form``); growth is compounded monthly.

    Forms: (1) ``{daily|monthly|yearly}_input_tokens`` + ``..._output_tokens``;
    (2) ``{daily|monthly|yearly}_total_tokens`` with ``input_output_ratio``;
    (3) ``requests_per_{day|month}`` x ``input_tokens_per_request`` / ``output_tokens_per_request``;
    (4) ``monthly_api_spend_usd``, converted to tokens at the API model's prices and the ratio.
    """

    daily_input_tokens: TOKENS | None = None
    daily_output_tokens: TOKENS | None = None
    monthly_input_tokens: TOKENS | None = None
    monthly_output_tokens: TOKENS | None = None
    yearly_input_tokens: TOKENS | None = None
    yearly_output_tokens: TOKENS | None = None
    daily_total_tokens: TOKENS | None = None
    monthly_total_tokens: TOKENS | None = None
    yearly_total_tokens: TOKENS | None = None
    requests_per_day: Uncertain(ge=0, le=1e12) | None = None
    requests_per_month: Uncertain(ge=0, le=1e13) | None = None
    monthly_api_spend_usd: MONEY | None = None
    input_output_ratio: Uncertain(ge=0, le=1000) | None = Field(
        None, description="Input tokens per output token, to split totals and bills; default 3."
    )
    input_tokens_per_request: Uncertain(ge=0, le=10_000_000) | None = None
    output_tokens_per_request: Uncertain(ge=0, le=10_000_000) | None = None
    monthly_growth: Uncertain(ge=-0.5, le=1.0) = Field(
        0.0, description="Month-on-month growth of usage (0.05 = 5%); month 1 is at the stated volume."
    )
    peak_to_average: Uncertain(ge=1, le=100) | None = Field(
        None, description="Peak over average tokens/s, to size self-hosted serving."
    )

    @property
    def form(self) -> Literal["tokens", "total", "requests", "spend"]:
        return _usage_form(self)

    @model_validator(mode="after")
    def _one_form(self) -> Usage:
        _usage_form(self)
        return self


_PAIRS = {p: (f"{p}_input_tokens", f"{p}_output_tokens") for p in ("daily", "monthly", "yearly")}
_TOTALS = ("daily_total_tokens", "monthly_total_tokens", "yearly_total_tokens")
_REQUESTS = ("requests_per_day", "requests_per_month")
_VOLUME_GROUPS = (*_PAIRS.values(), *((t,) for t in _TOTALS), *((r,) for r in _REQUESTS), ("monthly_api_spend_usd",))
VOLUME_FIELDS = (*(f for pair in _PAIRS.values() for f in pair), *_TOTALS, *_REQUESTS, "monthly_api_spend_usd")


def _usage_form(usage: Usage) -> Literal["tokens", "total", "requests", "spend"]:
    given = [f for f in VOLUME_FIELDS if getattr(usage, f) is not None]
    forms = []
    for pair in _PAIRS.values():
        present = [f for f in pair if f in given]
        if present:
            if len(present) == 1:
                missing = pair[1] if present[0] == pair[0] else pair[0]
                raise ValueError(f"{present[0]} needs {missing} as well")
            forms.append("tokens")
    forms += ["total" for f in _TOTALS if f in given]
    forms += ["requests" for f in _REQUESTS if f in given]
    forms += ["spend" for f in ("monthly_api_spend_usd",) if f in given]
    if not forms:
        raise ValueError(
            "give the volume in exactly one form: monthly_input_tokens + monthly_output_tokens "
            "(or daily_/yearly_), monthly_total_tokens (or daily_/yearly_), requests_per_month "
            "(or requests_per_day), or monthly_api_spend_usd"
        )
    if len(forms) > 1:
        raise ValueError(f"give the volume in one form only; got {', '.join(given)}")
    if forms[0] == "requests" and (
        usage.input_tokens_per_request is None or usage.output_tokens_per_request is None
    ):
        raise ValueError("requests need input_tokens_per_request and output_tokens_per_request")
    return forms[0]  # type: ignore[return-value]


class ApiPath(_Model):
    """Path 1 (and the token part of 2 and 3): a hosted base model behind an API."""

    model: str = Field("openai/gpt-4o", validate_default=True, description="API model; its prices are the defaults.")
    input_price_per_mtok: PRICE | None = None
    output_price_per_mtok: PRICE | None = None
    cached_input_price_per_mtok: PRICE | None = None
    cached_input_share: FRACTION = Field(0.0, description="Share of input tokens served from cache.")
    batch_share: FRACTION = Field(0.0, description="Share of traffic sent through a batch API.")
    batch_discount: FRACTION | None = None
    prompt_engineering_setup_hours: HOURS | None = None
    prompt_engineering_monthly_hours: HOURS | None = None
    prompt_engineer_hourly_rate: RATE | None = None

    @field_validator("model")
    @classmethod
    def _known_model(cls, name: str) -> str:
        from tools.prices import get_api_model

        return get_api_model(name, field="api.model").id


class RagPath(_Model):
    """Path 2: retrieval-augmented generation on top of the API."""

    retrieved_tokens_per_request: TOKENS | None = None
    query_tokens_per_request: TOKENS | None = None
    embedding_price_per_mtok: PRICE | None = None
    corpus_tokens: TOKENS | None = None
    corpus_monthly_update_share: FRACTION | None = None
    vector_store_monthly_usd: MONEY | None = None
    setup_hours: HOURS | None = None


class TrainingData(_Model):
    """The fine-tuning dataset and what it costs to prepare (paths 3 to 5)."""

    examples: Uncertain(ge=0, le=1e9) | None = None
    tokens_per_example: Uncertain(ge=1, le=1e6) | None = None
    synthetic_examples: Uncertain(ge=0, le=1e9) = 0.0
    synthetic_price_per_mtok: PRICE | None = Field(
        None, description="Generation price of synthetic data; default the API model's output price."
    )
    curation_hours: HOURS | None = Field(None, description="Default: examples x curation minutes.")
    curation_minutes_per_example: Uncertain(ge=0, le=600) | None = None
    expert_hourly_rate: RATE | None = None
    annotation_cost_per_example: Uncertain(ge=0, le=10_000) | None = None
    legal_review_hours: HOURS | None = None
    legal_hourly_rate: RATE | None = None
    epochs: Uncertain(ge=1, le=100) | None = None
    holdout_fraction: FRACTION | None = None


class VendorPath(_Model):
    """Path 3: fine-tuning hosted by the API vendor."""

    offering: str = Field(
        "openai/gpt-4o", validate_default=True, description="Key in tools/data/finetune_vendors.yaml."
    )
    training_price_per_mtok: PRICE | None = None
    inference_premium: Uncertain(ge=0, le=20) | None = None
    minimum_monthly_usd: MONEY | None = None
    minimum_training_usd: MONEY | None = None

    @field_validator("offering")
    @classmethod
    def _known_offering(cls, name: str) -> str:
        from tools.prices import get_vendor_offering

        return get_vendor_offering(name, field="vendor.offering").id


class SelfHostedPath(_Model):
    """Paths 4 and 5: an open model adapted (LoRA/QLoRA or full fine-tune) and served on our GPUs."""

    model: str = Field(
        "llama-3.1-8b", validate_default=True, description="Open model from tools/data/open_models.yaml."
    )
    lora_method: Literal["lora", "qlora"] = "lora"
    training_gpu: str = Field("h100", validate_default=True)
    serving_gpu: str = Field("l40s", validate_default=True)
    training_gpu_price_per_hour: RATE | None = Field(
        None, description="Default: the GPU's low/typical/high cloud price as a range."
    )
    serving_gpu_price_per_hour: RATE | None = None
    mfu: Uncertain(gt=0, le=1) | None = None
    serving_precision: Literal["bf16", "fp8", "int4"] = Field("bf16", description="Weights as served.")
    concurrent_sequences: int | None = Field(None, ge=1, le=4096, description="Batch per serving replica.")
    decode_efficiency: float | None = Field(
        None, gt=0, le=1, description="Share of memory bandwidth decode achieves; default training.yaml."
    )
    min_replicas: int | None = Field(None, ge=1, le=1000)
    managed_platform: bool = Field(True, description="Train on a managed ML platform (adds its premium).")
    managed_platform_premium: Uncertain(ge=0, le=5) | None = None

    @field_validator("model")
    @classmethod
    def _known_model(cls, name: str) -> str:
        from tools.compute import get_open_model

        return get_open_model(name, field="self_hosted.model").id

    @field_validator("training_gpu", "serving_gpu")
    @classmethod
    def _known_gpu(cls, name: str, info) -> str:
        from tools.compute import get_gpu

        return get_gpu(name, field=f"self_hosted.{info.field_name}").id


class Operations(_Model):
    """Experiments, monitoring, retraining and base-model refresh, shared by the adapted paths."""

    experiments_count: Uncertain(ge=0, le=1000) | None = None
    experiment_run_fraction: Uncertain(ge=0, le=10) | None = None
    monitoring_tooling_monthly_usd: MONEY | None = None
    monitoring_fte_vendor: Uncertain(ge=0, le=100) | None = None
    monitoring_fte_self_hosted: Uncertain(ge=0, le=100) | None = None
    ml_engineer_hourly_rate: RATE | None = None
    retraining_interval_months: int | None = Field(
        None, ge=0, le=120, description="Retrain every N months; 0 = never."
    )
    retraining_cost_share: Uncertain(ge=0, le=10) | None = None
    refresh_probability_vendor_annual: FRACTION | None = None
    refresh_probability_self_hosted_annual: FRACTION | None = None
    refresh_cost_share: Uncertain(ge=0, le=10) | None = None
    finetuned_prompt_reduction: Uncertain(ge=0, le=0.95) | None = None


class Constraints(_Model):
    """Hard requirements that rule paths out (pillar 3 of the analysis)."""

    on_prem_required: bool = Field(
        False, description="Data may not leave the premises: rules out the API and vendor paths."
    )


class Scenario(_Model):
    """The whole input of the cost engine. Only ``usage`` is required."""

    name: str = Field("Scenario", max_length=200)
    horizon_months: int = Field(36, ge=1, le=120, description="Months to project (1 to 120).")
    discount_rate_annual: Uncertain(ge=0, le=1) | None = None
    usage: Usage
    api: ApiPath = Field(default_factory=ApiPath)
    rag: RagPath = Field(default_factory=RagPath)
    data: TrainingData = Field(default_factory=TrainingData)
    vendor: VendorPath = Field(default_factory=VendorPath)
    self_hosted: SelfHostedPath = Field(default_factory=SelfHostedPath)
    operations: Operations = Field(default_factory=Operations)
    constraints: Constraints = Field(default_factory=Constraints)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Scenario:
        """Validate a mapping; a bad input raises ScenarioError naming the field and its range."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise scenario_error(exc) from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> Scenario:
        import yaml

        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError("scenario", f"cannot read {path}: {exc.strerror}") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScenarioError("scenario", f"{path} is not valid YAML: {exc}".splitlines()[0]) from None
        if not isinstance(data, Mapping):
            raise ScenarioError("scenario", f"{path} must hold a mapping of fields")
        return cls.parse(data)

    def apply(self, updates: Mapping[str, Any]) -> Scenario:
        """A new scenario with ``updates`` applied: dotted keys ("usage.monthly_growth") or nested
        mappings. Setting a usage volume replaces the volume form given before.

        >>> s = Scenario.parse({"usage": {"monthly_total_tokens": 1e6}})
        >>> s.apply({"usage.monthly_growth": 0.02}).usage.monthly_growth
        0.02
        """
        nested: dict[str, Any] = {}
        for key, value in updates.items():
            _merge(nested, _unflatten(key, value))
        current = self.model_dump(mode="python", exclude_unset=True)
        current = _to_plain(current)
        new_usage = nested.get("usage")
        if isinstance(new_usage, Mapping) and any(f in new_usage for f in VOLUME_FIELDS):
            # Keep the touched form's other half (e.g. the output of an input/output pair).
            keep = {f for group in _VOLUME_GROUPS if set(group) & set(new_usage) for f in group}
            old_usage = current.get("usage", {})
            for f in VOLUME_FIELDS:
                if f not in keep:
                    old_usage.pop(f, None)
        _merge(current, nested)
        return Scenario.parse(current)


def _to_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in value.items()}
    return value


def _unflatten(key: str, value: Any) -> dict[str, Any]:
    parts = key.split(".")
    out: dict[str, Any] = {}
    node = out
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


def _merge(target: dict[str, Any], updates: Mapping[str, Any]) -> None:
    for key, value in updates.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict) and not _is_range(value):
            _merge(target[key], value)
        else:
            target[key] = dict(value) if isinstance(value, Mapping) else value


def _is_range(value: Mapping[str, Any]) -> bool:
    return set(value) <= {"low", "base", "high"} and bool(value)


def _field_bounds(loc: tuple[Any, ...]) -> str | None:
    """The allowed range of the field at ``loc``, read from its metadata."""
    model: Any = Scenario
    info = None
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            break
        info = fields[part]
        model = _model_type(info.annotation)
    if info is None:
        return None
    nested = _annotation_bounds(info.annotation)
    if nested is not None:
        return nested.describe()
    low = high = None
    for item in info.metadata:
        if isinstance(item, Bounds):
            return item.describe()
        low = getattr(item, "ge", low) if getattr(item, "ge", None) is not None else low
        high = getattr(item, "le", high) if getattr(item, "le", None) is not None else high
    if low is not None or high is not None:
        return Bounds(ge=low, le=high).describe()
    return None


def _annotation_bounds(annotation: Any) -> Bounds | None:
    from typing import get_args

    for item in getattr(annotation, "__metadata__", ()):
        if isinstance(item, Bounds):
            return item
    for arg in get_args(annotation):
        found = _annotation_bounds(arg)
        if found is not None:
            return found
    return None


def _model_type(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return annotation
    for arg in get_args(annotation):
        found = _model_type(arg)
        if found is not None:
            return found
    return None


def scenario_error(exc: ValidationError) -> ScenarioError:
    """The first validation error as one line: dotted field, what is wrong, the allowed range."""
    errors = exc.errors()
    # A union (number or range) reports one error per member: prefer the member the input was.
    error = errors[0]
    if isinstance(error.get("input"), Mapping):
        error = next((e for e in errors if any("Range" in str(p) for p in e["loc"])), error)
    # pydantic puts union member tags ("float", "Range", "function-...") into the path; drop them,
    # but never the last part of an unknown-field error, which is the key the caller sent ("Range")
    raw = tuple(error["loc"])
    key = raw[-1:] if error["type"] == "extra_forbidden" else ()
    loc = tuple(
        p for p in raw[: len(raw) - len(key)]
        if not (isinstance(p, str) and (p in ("float", "Range") or p.startswith(("function-", "union["))))
    ) + key
    field = ".".join(str(p) for p in loc) or "scenario"
    message = str(error["msg"]).removeprefix("Value error, ")
    ctx_error = (error.get("ctx") or {}).get("error")
    if isinstance(ctx_error, AdvisorError):
        return ScenarioError(ctx_error.field, str(ctx_error).split(": ", 1)[1])
    if error["type"] == "extra_forbidden":
        parent = _parent_fields(loc[:-1])
        from tools.common import closest_names

        close = closest_names(str(loc[-1]), parent)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return ScenarioError(field, f"unknown field.{hint}")
    if error["type"] == "missing":
        return ScenarioError(field, "is required")
    bounds = _field_bounds(loc)
    if bounds and "allowed range" not in message:
        got = error.get("input")
        shown = f"; got {got!r}" if isinstance(got, int | float | str) else ""
        message = f"{message}; allowed range {bounds}{shown}"
    return ScenarioError(field, message)


def _parent_fields(loc: tuple[Any, ...]) -> list[str]:
    model: Any = Scenario
    for part in loc:
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return []
        model = _model_type(fields[part].annotation)
    return list(getattr(model, "model_fields", {}))


def scenario_json_schema() -> dict[str, Any]:
    """The JSON schema of a scenario file."""
    return Scenario.model_json_schema()
