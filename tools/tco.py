"""Total cost of ownership of the five adaptation paths, month by month, with break-even and NPV.

One vectorised cost model (``_cost_model``) evaluates any number of input samples at once; the
deterministic TCO runs it on one sample, the Monte Carlo and the sensitivity analysis on many.

Worked example (the issue's minimal scenario): 300M input + 100M output tokens a month at
$2.50 / $10.00 per 1M tokens cost 300 x 2.50 + 100 x 10.00 = $1,750 a month in API tokens.

>>> s = Scenario.parse({"usage": {"monthly_input_tokens": 300e6, "monthly_output_tokens": 100e6},
...                     "api": {"input_price_per_mtok": 2.5, "output_price_per_mtok": 10.0}})
>>> r = compute_tco(s)
>>> r.path("api").line("api_input_tokens").months[0] + r.path("api").line("api_output_tokens").months[0]
1750.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Literal, get_args

import numpy as np

from tools import compute
from tools.common import Assumption, Frozen, Sourced, load_data_file
from tools.prices import get_api_model, get_vendor_offering
from tools.scenario import DAYS_PER_MONTH, Range, Scenario

PathId = Literal["api", "api_rag", "vendor_finetune", "self_hosted_lora", "self_hosted_full"]
PATHS: tuple[PathId, ...] = get_args(PathId)
PATH_LABELS: dict[PathId, str] = {
    "api": "Base-model API + prompt engineering",
    "api_rag": "API + RAG",
    "vendor_finetune": "Vendor-hosted fine-tuning",
    "self_hosted_lora": "Self-hosted open model, LoRA/QLoRA",
    "self_hosted_full": "Self-hosted open model, full fine-tune",
}

LineId = Literal[
    "api_input_tokens", "api_output_tokens", "prompt_engineering",
    "rag_retrieved_tokens", "rag_embedding", "rag_vector_store", "rag_engineering",
    "curation", "annotation", "synthetic_data", "legal_review",
    "experiments", "training_run", "validation_loop", "managed_platform_premium",
    "vendor_training", "finetuned_inference_premium", "vendor_minimums",
    "hosting", "monitoring", "retraining", "base_model_refresh",
]  # fmt: skip
LINE_LABELS: dict[str, str] = {
    "api_input_tokens": "API input tokens (cached share, batch discount)",
    "api_output_tokens": "API output tokens (batch discount)",
    "prompt_engineering": "Prompt-engineering labour",
    "rag_retrieved_tokens": "RAG retrieved tokens in prompts",
    "rag_embedding": "RAG embedding (corpus, updates, queries)",
    "rag_vector_store": "RAG vector store",
    "rag_engineering": "RAG engineering set-up",
    "curation": "Expert curation",
    "annotation": "Annotation",
    "synthetic_data": "Synthetic data generation",
    "legal_review": "Legal and compliance review",
    "experiments": "Hyperparameter experiments",
    "training_run": "Training run (GPU-hours)",
    "validation_loop": "Validation loop (hold-out each epoch)",
    "managed_platform_premium": "Managed-platform premium",
    "vendor_training": "Vendor training charge",
    "finetuned_inference_premium": "Fine-tuned inference premium",
    "vendor_minimums": "Vendor minimums / hosting fee",
    "hosting": "Inference hosting (GPUs x 730 h)",
    "monitoring": "Monitoring and observability",
    "retraining": "Periodic retraining",
    "base_model_refresh": "Base-model refresh risk (expected)",
}
_DATA_PREP = ("curation", "annotation", "synthetic_data", "legal_review")
_OPS = ("monitoring", "retraining", "base_model_refresh")
PATH_LINES: dict[PathId, tuple[str, ...]] = {
    "api": ("api_input_tokens", "api_output_tokens", "prompt_engineering"),
    "api_rag": (
        "api_input_tokens", "api_output_tokens", "prompt_engineering", "rag_retrieved_tokens",
        "rag_embedding", "rag_vector_store", "rag_engineering",
    ),
    "vendor_finetune": (
        *_DATA_PREP, "experiments", "vendor_training", "validation_loop", "api_input_tokens",
        "api_output_tokens", "finetuned_inference_premium", "vendor_minimums", *_OPS,
    ),
    "self_hosted_lora": (
        *_DATA_PREP, "experiments", "training_run", "validation_loop", "managed_platform_premium",
        "hosting", *_OPS,
    ),
    "self_hosted_full": (
        *_DATA_PREP, "experiments", "training_run", "validation_loop", "managed_platform_premium",
        "hosting", *_OPS,
    ),
}  # fmt: skip
_ON_PREM_BLOCKED: tuple[PathId, ...] = ("api", "api_rag", "vendor_finetune")
SECONDS_PER_HOUR = 3600.0


# ---------------------------------------------------------------------------------------------
# results


class CostLine(Frozen):
    id: str
    label: str
    total: float
    months: list[float]


class PathResult(Frozen):
    id: PathId
    label: str
    feasible: bool
    infeasible_reason: str | None = None
    total: float
    npv: float
    months: list[float]
    cumulative: list[float]
    lines: list[CostLine]
    tokens_served: float
    cost_per_mtok: float | None
    break_even_month: int | None  # first month whose cumulative cost is at or below the API's
    break_even_monthly_tokens: float | None  # month-1 tokens/month at which horizon totals match the API
    training: compute.TrainingEstimate | None = None
    hosting: compute.HostingEstimate | None = None
    replicas_first_month: int | None = None
    replicas_last_month: int | None = None

    def line(self, line_id: str) -> CostLine:
        return next(line for line in self.lines if line.id == line_id)


class TcoResult(Frozen):
    scenario_name: str
    currency: str = "USD"
    horizon_months: int
    discount_rate_annual: float
    monthly_input_tokens: list[float]
    monthly_output_tokens: list[float]
    paths: list[PathResult]
    cheapest: PathId  # cheapest feasible path over the horizon
    assumptions: list[Assumption]

    def path(self, path_id: str) -> PathResult:
        return next(p for p in self.paths if p.id == path_id)


# ---------------------------------------------------------------------------------------------
# inputs: every number the model uses, with its range and where it came from


@dataclass
class Input:
    name: str
    low: float
    base: float
    high: float
    unit: str
    source: str
    as_of: date | None = None
    note: str | None = None
    upper: float = math.inf  # hard ceiling (fractions) when the sensitivity swings a point value

    @property
    def uncertain(self) -> bool:
        return self.high > self.low

    def assumption(self) -> Assumption:
        return Assumption(
            name=self.name, value=self.base, unit=self.unit, source=self.source, as_of=self.as_of
        )


@dataclass
class Model:
    """A resolved scenario: the numeric inputs and the fixed structure the cost model needs."""

    scenario: Scenario
    inputs: dict[str, Input]
    usage_form: str
    period_factor: float  # stated period -> month
    volume_key: tuple[str, ...]
    curation_hours_given: bool
    synthetic_price_given: bool
    mfu_base: float | None
    lora_method: compute.TrainingMethod
    open_model: compute.OpenModelSpec
    training_gpu: compute.GpuSpec
    serving_gpu: compute.GpuSpec
    plans: dict[str, compute.HostingEstimate]
    train_hours_per_token: dict[str, float]  # GPU-hours per processed token (linear in tokens)
    eval_hours_per_token: float
    min_replicas: int
    retrain_interval: int
    hours_per_month: float
    feasible: dict[PathId, str | None]
    extra_assumptions: list[Assumption] = field(default_factory=list)

    def base_values(self) -> dict[str, np.ndarray]:
        return {k: np.full((1, 1), i.base) for k, i in self.inputs.items()}


@cache
def _figures(file: str) -> dict[str, Sourced]:
    return {k: Sourced.model_validate(v) for k, v in load_data_file(file)["figures"].items()}


def figure(name: str) -> Sourced:
    """A default from labour.yaml or operations.yaml by its key."""
    for file in ("labour.yaml", "operations.yaml"):
        if name in _figures(file):
            return _figures(file)[name]
    raise KeyError(name)


def resolve(scenario: Scenario) -> Model:
    """Turn a scenario into numeric inputs (user value or sourced default) and fixed structure."""
    inputs: dict[str, Input] = {}

    def add(name: str, given, default: Sourced | float, unit: str = "", *, upper: float = math.inf,
            source: str = "scenario default") -> None:  # fmt: skip
        if given is not None:
            low, base, high = (given.low, given.base, given.high) if isinstance(given, Range) else (given,) * 3
            inputs[name] = Input(name, low, base, high, unit or _unit(default), "user", upper=upper)
        elif isinstance(default, Sourced):
            v = default.value
            inputs[name] = Input(name, v, v, v, default.unit, default.source, default.as_of, default.note, upper)
        else:
            inputs[name] = Input(name, default, default, default, unit, source, upper=upper)

    s = scenario
    u = s.usage
    add("discount_rate_annual", s.discount_rate_annual, figure("discount_rate_annual"), upper=1.0)
    add("usage.monthly_growth", _stated(u, "monthly_growth"), 0.0, "fraction/month", upper=1.0)
    add("usage.peak_to_average", u.peak_to_average, figure("peak_to_average"))
    form = u.form
    factor = 1.0
    if form == "tokens":
        period = next(p for p in ("daily", "monthly", "yearly") if getattr(u, f"{p}_input_tokens") is not None)
        key = (f"usage.{period}_input_tokens", f"usage.{period}_output_tokens")
        add(key[0], getattr(u, f"{period}_input_tokens"), 0.0, f"input tokens/{_per(period)}")
        add(key[1], getattr(u, f"{period}_output_tokens"), 0.0, f"output tokens/{_per(period)}")
        factor = _period_factor(period)
    elif form == "total":
        period = next(p for p in ("daily", "monthly", "yearly") if getattr(u, f"{p}_total_tokens") is not None)
        key = (f"usage.{period}_total_tokens",)
        add(key[0], getattr(u, f"{period}_total_tokens"), 0.0, f"tokens/{_per(period)}")
        factor = _period_factor(period)
    elif form == "requests":
        period = "daily" if u.requests_per_day is not None else "monthly"
        name = "requests_per_day" if period == "daily" else "requests_per_month"
        key = (f"usage.{name}",)
        add(key[0], getattr(u, name), 0.0, f"requests/{_per(period)}")
        factor = _period_factor(period)
    else:
        key = ("usage.monthly_api_spend_usd",)
        add(key[0], u.monthly_api_spend_usd, 0.0, "USD/month")
    add("usage.input_output_ratio", u.input_output_ratio, figure("input_output_ratio"))
    add("usage.input_tokens_per_request", u.input_tokens_per_request, figure("input_tokens_per_request"))
    add("usage.output_tokens_per_request", u.output_tokens_per_request, figure("output_tokens_per_request"))

    api_model = get_api_model(s.api.model)
    a = s.api
    add("api.input_price_per_mtok", a.input_price_per_mtok, api_model.input_price_per_mtok)
    add("api.output_price_per_mtok", a.output_price_per_mtok, api_model.output_price_per_mtok)
    cached_default: Sourced | float
    if a.cached_input_price_per_mtok is None and a.input_price_per_mtok is not None:
        # The user's own input price with the standard cache discount.
        cached_default = base_of(a.input_price_per_mtok) * (1 - figure("cached_input_discount").value)
    else:
        cached_default = api_model.cached_input_price_per_mtok or Sourced(
            value=api_model.input_price_per_mtok.value * (1 - figure("cached_input_discount").value),
            unit="USD/1M cached input tokens",
            source=f"{figure('cached_input_discount').source} applied to {api_model.id}",
            as_of=figure("cached_input_discount").as_of,
        )
    add("api.cached_input_price_per_mtok", a.cached_input_price_per_mtok, cached_default,
        "USD/1M cached input tokens", source="input price x (1 - cached_input_discount)")  # fmt: skip
    add("api.cached_input_share", _stated(a, "cached_input_share"), 0.0, "fraction", upper=1.0)
    add("api.batch_share", _stated(a, "batch_share"), 0.0, "fraction", upper=1.0)
    add("api.batch_discount", a.batch_discount, figure("batch_discount"), upper=1.0)
    add("api.prompt_engineering_setup_hours", a.prompt_engineering_setup_hours, figure("prompt_engineering_setup_hours"))
    add("api.prompt_engineering_monthly_hours", a.prompt_engineering_monthly_hours, figure("prompt_engineering_monthly_hours"))
    add("api.prompt_engineer_hourly_rate", a.prompt_engineer_hourly_rate, figure("prompt_engineer_hourly_rate"))

    r = s.rag
    add("rag.retrieved_tokens_per_request", r.retrieved_tokens_per_request, figure("rag_retrieved_tokens_per_request"))
    add("rag.query_tokens_per_request", r.query_tokens_per_request, figure("rag_query_tokens_per_request"))
    add("rag.embedding_price_per_mtok", r.embedding_price_per_mtok, figure("rag_embedding_price_per_mtok"))
    add("rag.corpus_tokens", r.corpus_tokens, figure("rag_corpus_tokens"))
    add("rag.corpus_monthly_update_share", r.corpus_monthly_update_share, figure("rag_corpus_monthly_update_share"), upper=1.0)
    add("rag.vector_store_monthly_usd", r.vector_store_monthly_usd, figure("rag_vector_store_monthly_usd"))
    add("rag.setup_hours", r.setup_hours, figure("rag_setup_hours"))

    d = s.data
    add("data.examples", d.examples, figure("dataset_examples"))
    add("data.tokens_per_example", d.tokens_per_example, figure("tokens_per_example"))
    add("data.synthetic_examples", _stated(d, "synthetic_examples"), 0.0, "examples")
    if d.synthetic_price_per_mtok is not None:
        add("data.synthetic_price_per_mtok", d.synthetic_price_per_mtok, 0.0, "USD/1M tokens")
    if d.curation_hours is not None:
        add("data.curation_hours", d.curation_hours, 0.0, "hours")
    add("data.curation_minutes_per_example", d.curation_minutes_per_example, figure("curation_minutes_per_example"))
    add("data.expert_hourly_rate", d.expert_hourly_rate, figure("expert_hourly_rate"))
    add("data.annotation_cost_per_example", d.annotation_cost_per_example, figure("annotation_cost_per_example"))
    add("data.legal_review_hours", d.legal_review_hours, figure("legal_review_hours"))
    add("data.legal_hourly_rate", d.legal_hourly_rate, figure("legal_hourly_rate"))
    add("data.epochs", d.epochs, figure("epochs"))
    add("data.holdout_fraction", d.holdout_fraction, figure("holdout_fraction"), upper=1.0)

    offering = get_vendor_offering(s.vendor.offering)
    vd = s.vendor
    add("vendor.training_price_per_mtok", vd.training_price_per_mtok, offering.training_price_per_mtok)
    add("vendor.inference_premium", vd.inference_premium, offering.inference_premium)
    add("vendor.minimum_monthly_usd", vd.minimum_monthly_usd, offering.minimum_monthly_usd)
    add("vendor.minimum_training_usd", vd.minimum_training_usd, offering.minimum_training_usd)

    sh = s.self_hosted
    open_model = compute.get_open_model(sh.model, field="self_hosted.model")
    training_gpu = compute.get_gpu(sh.training_gpu, field="self_hosted.training_gpu")
    serving_gpu = compute.get_gpu(sh.serving_gpu, field="self_hosted.serving_gpu")
    add("self_hosted.training_gpu_price_per_hour", sh.training_gpu_price_per_hour, 0.0)
    if sh.training_gpu_price_per_hour is None:
        inputs["self_hosted.training_gpu_price_per_hour"] = _gpu_price_input(
            "self_hosted.training_gpu_price_per_hour", training_gpu
        )
    add("self_hosted.serving_gpu_price_per_hour", sh.serving_gpu_price_per_hour, 0.0)
    if sh.serving_gpu_price_per_hour is None:
        inputs["self_hosted.serving_gpu_price_per_hour"] = _gpu_price_input(
            "self_hosted.serving_gpu_price_per_hour", serving_gpu
        )
    mfu_base = None
    if sh.mfu is not None:
        add("self_hosted.mfu", sh.mfu, 0.0, "fraction of peak dense BF16", upper=1.0)
        mfu_base = base_of(sh.mfu)
    if sh.managed_platform:
        add("self_hosted.managed_platform_premium", sh.managed_platform_premium, figure("managed_platform_premium"))
    else:
        add("self_hosted.managed_platform_premium", None, 0.0, "fraction", source="managed_platform: false")

    o = s.operations
    add("operations.experiments_count", o.experiments_count, figure("experiments_count"))
    add("operations.experiment_run_fraction", o.experiment_run_fraction, figure("experiment_run_fraction"))
    add("operations.monitoring_tooling_monthly_usd", o.monitoring_tooling_monthly_usd, figure("monitoring_tooling_monthly_usd"))
    add("operations.monitoring_fte_vendor", o.monitoring_fte_vendor, figure("monitoring_fte_vendor"))
    add("operations.monitoring_fte_self_hosted", o.monitoring_fte_self_hosted, figure("monitoring_fte_self_hosted"))
    add("operations.ml_engineer_hourly_rate", o.ml_engineer_hourly_rate, figure("ml_engineer_hourly_rate"))
    add("operations.hours_per_fte_month", None, figure("hours_per_fte_month"))
    add("operations.retraining_cost_share", o.retraining_cost_share, figure("retraining_cost_share"))
    add("operations.refresh_probability_vendor_annual", o.refresh_probability_vendor_annual,
        figure("refresh_probability_vendor_annual"), upper=1.0)  # fmt: skip
    add("operations.refresh_probability_self_hosted_annual", o.refresh_probability_self_hosted_annual,
        figure("refresh_probability_self_hosted_annual"), upper=1.0)  # fmt: skip
    add("operations.refresh_cost_share", o.refresh_cost_share, figure("refresh_cost_share"))
    add("operations.finetuned_prompt_reduction", o.finetuned_prompt_reduction,
        figure("finetuned_prompt_reduction"), upper=0.95)  # fmt: skip

    lora_method: compute.TrainingMethod = sh.lora_method
    active = open_model.active_params_b.value if open_model.active_params_b else None
    serving = {
        "precision": sh.serving_precision,
        "concurrent_sequences": sh.concurrent_sequences,
        "decode_efficiency": sh.decode_efficiency,
        "active_params_b": active,
    }
    plans = {
        "self_hosted_lora": compute.plan_hosting(open_model.params_b.value, serving_gpu, method=lora_method, **serving),
        "self_hosted_full": compute.plan_hosting(open_model.params_b.value, serving_gpu, method="full", **serving),
    }
    # Training and evaluation GPU-hours are linear in tokens (FLOPs = k x N x D): take the rate once.
    train_rates = {
        path: float(compute.training_gpu_hours(
            open_model.params_b.value, 1e9, method, training_gpu, mfu=mfu_base, active_params_b=active
        )) / 1e9
        for path, method in (("self_hosted_lora", lora_method), ("self_hosted_full", "full"))
    }  # fmt: skip
    eval_rate = float(compute.estimate_evaluation_gpu_hours(
        open_model.params_b.value, 1e9, training_gpu, mfu=mfu_base, active_params_b=active
    )) / 1e9  # fmt: skip
    min_replicas = sh.min_replicas if sh.min_replicas is not None else int(figure("min_replicas").value)
    retrain = o.retraining_interval_months
    retrain = int(figure("retraining_interval_months").value) if retrain is None else retrain
    extra = [
        open_model.params_b.assumption(f"open_model.{open_model.id}.params_b"),
        Assumption(name="self_hosted.min_replicas", value=min_replicas, unit="replicas",
                   source="user" if sh.min_replicas is not None else figure("min_replicas").source,
                   as_of=None if sh.min_replicas is not None else figure("min_replicas").as_of),
        Assumption(name="operations.retraining_interval_months", value=retrain, unit="months",
                   source="user" if o.retraining_interval_months is not None
                   else figure("retraining_interval_months").source,
                   as_of=None if o.retraining_interval_months is not None
                   else figure("retraining_interval_months").as_of),
    ]  # fmt: skip
    blocked = "on_prem_required: data may not leave the premises"
    feasible: dict[PathId, str | None] = {
        p: (blocked if s.constraints.on_prem_required and p in _ON_PREM_BLOCKED else None) for p in PATHS
    }
    return Model(
        scenario=s,
        inputs=inputs,
        usage_form=form,
        period_factor=factor,
        volume_key=key,
        curation_hours_given=d.curation_hours is not None,
        synthetic_price_given=d.synthetic_price_per_mtok is not None,
        mfu_base=mfu_base,
        lora_method=lora_method,
        open_model=open_model,
        training_gpu=training_gpu,
        serving_gpu=serving_gpu,
        plans=plans,
        train_hours_per_token=train_rates,
        eval_hours_per_token=eval_rate,
        min_replicas=min_replicas,
        retrain_interval=retrain,
        hours_per_month=compute.hours_per_month().value,
        feasible=feasible,
        extra_assumptions=extra,
    )


def _gpu_price_input(name: str, gpu: compute.GpuSpec) -> Input:
    p = gpu.price_per_hour
    return Input(
        name, p.low.value, p.typical.value, p.high.value, p.typical.unit,
        f"typical: {p.typical.source}; low: {p.low.source}; high: {p.high.source}",
        p.typical.as_of, f"{gpu.name}: low/typical/high hourly price",
    )  # fmt: skip


def _stated(section, name: str):
    """The field's value if the scenario stated it; None lets the default carry its own source."""
    return getattr(section, name) if name in section.model_fields_set else None


def base_of(value: float | Range) -> float:
    return value.base if isinstance(value, Range) else float(value)


def _unit(default: Sourced | float) -> str:
    return default.unit if isinstance(default, Sourced) else ""


def _per(period: str) -> str:
    return {"daily": "day", "monthly": "month", "yearly": "year"}[period]


def _period_factor(period: str) -> float:
    return {"daily": DAYS_PER_MONTH, "monthly": 1.0, "yearly": 1.0 / 12.0}[period]


# ---------------------------------------------------------------------------------------------
# the cost model: one function over arrays of shape (samples, 1) -> lines of shape (samples, months)


class OneOff:
    """A cost paid once, in month 1: kept as its amount so totals need not expand it over months."""

    __slots__ = ("amount",)

    def __init__(self, amount: np.ndarray):
        self.amount = np.asarray(amount)

    def months(self, horizon: int) -> np.ndarray:
        out = np.zeros(np.broadcast_shapes(self.amount.shape, (1, horizon)))
        out[:, :1] = self.amount
        return out


Lines = dict[str, dict[str, "np.ndarray | OneOff"]]


def _line_total(x: np.ndarray | OneOff) -> np.ndarray:
    """Horizon total of one line, shape (samples,) or (1,)."""
    return x.amount.reshape(-1) if isinstance(x, OneOff) else np.atleast_2d(x).sum(axis=1)


def _line_months(x: np.ndarray | OneOff, horizon: int) -> np.ndarray:
    return x.months(horizon) if isinstance(x, OneOff) else np.atleast_2d(x)


def _cost_model(v: dict[str, np.ndarray], m: Model, horizon: int) -> Lines:
    t = np.arange(horizon, dtype=float)[None, :]
    first = (t == 0).astype(float)
    scale = v.get("volume_scale", 1.0)
    growth = (1.0 + v["usage.monthly_growth"]) ** t * scale

    # API prices after cache and batch discounts.
    p_in, p_out = v["api.input_price_per_mtok"], v["api.output_price_per_mtok"]
    batch = 1.0 - v["api.batch_share"] * v["api.batch_discount"]
    cached = v["api.cached_input_share"]
    p_in_eff = ((1.0 - cached) * p_in + cached * v["api.cached_input_price_per_mtok"]) * batch
    p_out_eff = p_out * batch

    # Month-1 volume in the form the user gave it.
    ratio = v["usage.input_output_ratio"]
    in_per_req, out_per_req = v["usage.input_tokens_per_request"], v["usage.output_tokens_per_request"]
    key, f = m.volume_key, m.period_factor
    requests0 = None
    if m.usage_form == "tokens":
        in0, out0 = v[key[0]] * f, v[key[1]] * f
    elif m.usage_form == "total":
        total = v[key[0]] * f
        in0, out0 = total * ratio / (1.0 + ratio), total / (1.0 + ratio)
    elif m.usage_form == "requests":
        requests0 = v[key[0]] * f
        in0, out0 = requests0 * in_per_req, requests0 * out_per_req
    else:  # monthly API spend at today's effective prices
        per_output_token = (ratio * p_in_eff + p_out_eff) / 1e6
        safe = np.where(per_output_token > 0, per_output_token, 1.0)
        out0 = np.where(per_output_token > 0, v[key[0]] / safe, 0.0)
        in0 = out0 * ratio
    if requests0 is None:
        safe_req = np.where(in_per_req > 0, in_per_req, 1.0)
        requests0 = np.where(in_per_req > 0, in0 / safe_req, 0.0)
    tin, tout, reqs = in0 * growth, out0 * growth, requests0 * growth

    ml_rate = v["operations.ml_engineer_hourly_rate"]
    lines: Lines = {}

    api_in = tin * p_in_eff / 1e6
    api_out = tout * p_out_eff / 1e6
    prompt = v["api.prompt_engineer_hourly_rate"] * (
        v["api.prompt_engineering_setup_hours"] * first + v["api.prompt_engineering_monthly_hours"]
    )
    lines["api"] = {"api_input_tokens": api_in, "api_output_tokens": api_out, "prompt_engineering": prompt}

    emb = v["rag.embedding_price_per_mtok"] / 1e6
    corpus = v["rag.corpus_tokens"]
    lines["api_rag"] = {
        **lines["api"],
        "rag_retrieved_tokens": reqs * v["rag.retrieved_tokens_per_request"] * p_in * batch / 1e6,
        "rag_embedding": emb * (corpus * first + corpus * v["rag.corpus_monthly_update_share"]
                                + reqs * v["rag.query_tokens_per_request"]),
        "rag_vector_store": v["rag.vector_store_monthly_usd"] + 0.0 * t,
        "rag_engineering": OneOff(v["rag.setup_hours"] * ml_rate),
    }  # fmt: skip

    # Data preparation, shared by the three adapted paths (one-off, month 1).
    examples, synthetic = v["data.examples"], v["data.synthetic_examples"]
    per_example = v["data.tokens_per_example"]
    curation_hours = (
        v["data.curation_hours"] if m.curation_hours_given
        else examples * v["data.curation_minutes_per_example"] / 60.0
    )  # fmt: skip
    synth_price = v["data.synthetic_price_per_mtok"] if m.synthetic_price_given else p_out
    prep = {
        "curation": curation_hours * v["data.expert_hourly_rate"],
        "annotation": examples * v["data.annotation_cost_per_example"],
        "synthetic_data": synthetic * per_example * synth_price / 1e6,
        "legal_review": v["data.legal_review_hours"] * v["data.legal_hourly_rate"],
    }
    dataset_tokens = (examples + synthetic) * per_example
    processed = dataset_tokens * v["data.epochs"]
    eval_tokens = v["data.holdout_fraction"] * processed
    experiments = v["operations.experiments_count"] * v["operations.experiment_run_fraction"]
    staff_month = v["operations.hours_per_fte_month"] * ml_rate
    tooling = v["operations.monitoring_tooling_monthly_usd"]
    retrain_mask = (
        ((t > 0) & (t % m.retrain_interval == 0)).astype(float) if m.retrain_interval > 0 else 0.0 * t
    )
    refresh_share = v["operations.refresh_cost_share"] / 12.0
    retrain_share = v["operations.retraining_cost_share"]

    def adapted(once: dict[str, np.ndarray], running: dict[str, np.ndarray], fte, refresh_p):
        initial = sum(once.values())
        out: dict[str, np.ndarray | OneOff] = {k: OneOff(x) for k, x in once.items()}
        out.update(running)
        out["monitoring"] = tooling + fte * staff_month + 0.0 * t
        out["retraining"] = retrain_share * initial * retrain_mask
        out["base_model_refresh"] = refresh_p * refresh_share * initial + 0.0 * t
        return out

    premium = v["vendor.inference_premium"]
    vendor_in = tin * (1.0 - v["operations.finetuned_prompt_reduction"]) * p_in_eff / 1e6
    vendor_train = np.maximum(
        v["vendor.minimum_training_usd"], processed * v["vendor.training_price_per_mtok"] / 1e6
    )
    lines["vendor_finetune"] = adapted(
        {
            **prep,
            "experiments": experiments * vendor_train,
            "vendor_training": vendor_train,
            "validation_loop": eval_tokens * p_in * (1.0 + premium) / 1e6,
        },
        {
            "api_input_tokens": vendor_in,
            "api_output_tokens": api_out,
            "finetuned_inference_premium": premium * (vendor_in + api_out),
            "vendor_minimums": v["vendor.minimum_monthly_usd"] + 0.0 * t,
        },
        v["operations.monitoring_fte_vendor"],
        v["operations.refresh_probability_vendor_annual"],
    )

    mfu_ratio = m.mfu_base / v["self_hosted.mfu"] if m.mfu_base is not None else 1.0
    train_price = v["self_hosted.training_gpu_price_per_hour"]
    serve_price = v["self_hosted.serving_gpu_price_per_hour"]
    peak_tps = tout / (m.hours_per_month * SECONDS_PER_HOUR) * v["usage.peak_to_average"]
    eval_hours = m.eval_hours_per_token * eval_tokens
    for path in ("self_hosted_lora", "self_hosted_full"):
        run = m.train_hours_per_token[path] * processed * mfu_ratio * train_price
        validation = eval_hours * mfu_ratio * train_price
        plan = m.plans[path]
        replicas = compute.replicas_needed(peak_tps, plan, m.min_replicas)
        lines[path] = adapted(
            {
                **prep,
                "experiments": experiments * run,
                "training_run": run,
                "validation_loop": validation,
                "managed_platform_premium": v["self_hosted.managed_platform_premium"]
                * (run * (1.0 + experiments) + validation),
            },
            {"hosting": replicas * plan.gpus_per_replica * serve_price * m.hours_per_month},
            v["operations.monitoring_fte_self_hosted"],
            v["operations.refresh_probability_self_hosted_annual"],
        )
    lines["_tokens"] = {"input": tin + 0.0 * t, "output": tout + 0.0 * t}
    return lines


def evaluate_totals(values: dict[str, np.ndarray], m: Model) -> np.ndarray:
    """Horizon totals per path, shape (len(PATHS), samples): the hot loop of the Monte Carlo."""
    lines = _cost_model(values, m, m.scenario.horizon_months)
    totals = [sum(_line_total(x) for x in lines[p].values()) for p in PATHS]
    samples = max(t.shape[0] for t in totals)
    return np.stack([np.broadcast_to(t, (samples,)) for t in totals])


def _path_months(path_lines: dict[str, np.ndarray | OneOff], horizon: int) -> np.ndarray:
    return sum(_line_months(x, horizon) for x in path_lines.values())


# ---------------------------------------------------------------------------------------------
# the deterministic TCO


def compute_tco(scenario: Scenario) -> TcoResult:
    """The five paths side by side over the scenario's horizon (see the module docstring)."""
    m = resolve(scenario)
    horizon = scenario.horizon_months
    values = m.base_values()
    lines = _cost_model(values, m, horizon)
    tokens_in = np.broadcast_to(lines["_tokens"]["input"], (1, horizon))[0]
    tokens_out = np.broadcast_to(lines["_tokens"]["output"], (1, horizon))[0]
    served = float(tokens_in.sum() + tokens_out.sum())
    rate = (1.0 + m.inputs["discount_rate_annual"].base) ** (1.0 / 12.0) - 1.0
    discount = (1.0 + rate) ** -np.arange(horizon)  # costs fall at the start of each month

    months = {p: np.broadcast_to(_path_months(lines[p], horizon), (1, horizon))[0] for p in PATHS}
    cumulative = {p: np.cumsum(months[p]) for p in PATHS}
    volumes = _break_even_volumes(m, values, float(tokens_in[0] + tokens_out[0]))
    training = _training_estimates(m, values)

    paths = []
    for p in PATHS:
        path_lines = [
            CostLine(id=k, label=LINE_LABELS[k], total=float(x.sum()), months=x.tolist())
            for k in PATH_LINES[p]
            for x in [np.broadcast_to(_line_months(lines[p][k], horizon), (1, horizon))[0]]
        ]
        total = float(months[p].sum())
        extra: dict = {}
        if p.startswith("self_hosted"):
            plan = m.plans[p]
            first_tps, last_tps = _peak_tps(m, values, lines, 0), _peak_tps(m, values, lines, horizon - 1)
            extra = {
                "training": training[p],
                "hosting": plan,
                "replicas_first_month": int(compute.replicas_needed(first_tps, plan, m.min_replicas)),
                "replicas_last_month": int(compute.replicas_needed(last_tps, plan, m.min_replicas)),
            }
        paths.append(
            PathResult(
                id=p,
                label=PATH_LABELS[p],
                feasible=m.feasible[p] is None,
                infeasible_reason=m.feasible[p],
                total=total,
                npv=float((months[p] * discount).sum()),
                months=months[p].tolist(),
                cumulative=cumulative[p].tolist(),
                lines=path_lines,
                tokens_served=served,
                cost_per_mtok=total / served * 1e6 if served > 0 else None,
                break_even_month=None if p == "api" else _break_even_month(cumulative[p], cumulative["api"]),
                break_even_monthly_tokens=volumes.get(p),
                **extra,
            )
        )
    feasible = [r for r in paths if r.feasible] or paths
    cheapest = min(feasible, key=lambda r: r.total).id
    return TcoResult(
        scenario_name=scenario.name,
        horizon_months=horizon,
        discount_rate_annual=m.inputs["discount_rate_annual"].base,
        monthly_input_tokens=tokens_in.tolist(),
        monthly_output_tokens=tokens_out.tolist(),
        paths=paths,
        cheapest=cheapest,
        assumptions=assumptions(m, training),
    )


def _peak_tps(m: Model, values, lines, month: int) -> float:
    out = float(np.broadcast_to(lines["_tokens"]["output"], (1, m.scenario.horizon_months))[0, month])
    return out / (m.hours_per_month * SECONDS_PER_HOUR) * float(values["usage.peak_to_average"][0, 0])


def _break_even_month(path_cum: np.ndarray, api_cum: np.ndarray) -> int | None:
    """First month (1-based) whose cumulative cost is at or below the API's, or None."""
    hits = np.nonzero(path_cum <= api_cum + 1e-9)[0]
    return int(hits[0]) + 1 if hits.size else None


_COARSE, _FINE = 65, 41  # log grid 1e-4x..1e4x (x1.33 a step), then ~0.8% steps in the bracket


def _break_even_volumes(m: Model, values: dict[str, np.ndarray], month_one_tokens: float) -> dict[str, float | None]:
    """Month-1 volume (tokens/month, growth as stated) at which each path's horizon total equals
    the API's: a log grid over 1e-4x..1e4x the stated volume, then a fine linear grid in the
    bracket of the first crossing, then linear interpolation."""
    if month_one_tokens <= 0:
        return {}
    grid = np.logspace(-4, 4, _COARSE)
    diffs = _diffs_at(m, values, grid)
    found: dict[str, float | None] = {}
    brackets: dict[str, tuple[float, float]] = {}
    for i, p in enumerate(PATHS[1:]):
        d = diffs[i]
        if d[0] <= 0:
            found[p] = 0.0 if d[-1] <= 0 else None  # cheaper at any volume, or only at small ones
            continue
        cross = np.nonzero(d <= 0)[0]
        if not cross.size:
            found[p] = None
            continue
        j = int(cross[0])
        brackets[p] = (grid[j - 1], grid[j])
    if brackets:
        fine = np.concatenate([np.linspace(lo, hi, _FINE) for lo, hi in brackets.values()])
        fine_diffs = _diffs_at(m, values, fine)
        for n, p in enumerate(brackets):
            row = fine_diffs[PATHS.index(p) - 1, n * _FINE:(n + 1) * _FINE]
            xs = fine[n * _FINE:(n + 1) * _FINE]
            j = int(np.nonzero(row <= 0)[0][0])
            x0, x1, d0, d1 = xs[j - 1], xs[j], row[j - 1], row[j]
            k = x1 if d0 == d1 else x0 + (x1 - x0) * d0 / (d0 - d1)
            found[p] = float(k * month_one_tokens)
    return found


def _diffs_at(m: Model, values: dict[str, np.ndarray], scales: np.ndarray) -> np.ndarray:
    v = dict(values)
    v["volume_scale"] = scales[:, None]
    totals = evaluate_totals(v, m)
    return totals[1:] - totals[0]


def _training_estimates(m: Model, values) -> dict[str, compute.TrainingEstimate]:
    base = {k: float(x[0, 0]) for k, x in values.items()}
    tokens = (base["data.examples"] + base["data.synthetic_examples"]) * base["data.tokens_per_example"]
    processed = tokens * base["data.epochs"]
    active = m.open_model.active_params_b.value if m.open_model.active_params_b else None
    return {
        p: compute.estimate_training(
            m.open_model.params_b.value, processed, method, m.training_gpu, mfu=m.mfu_base,
            active_params_b=active,
        )
        for p, method in (("self_hosted_lora", m.lora_method), ("self_hosted_full", "full"))
    }  # fmt: skip


def assumptions(m: Model, training: dict[str, compute.TrainingEstimate]) -> list[Assumption]:
    """Every figure used: the resolved inputs, then the compute figures, each listed once."""
    seen: dict[str, Assumption] = {}
    for i in m.inputs.values():
        seen[i.name] = i.assumption()
    extra = [*m.extra_assumptions]
    for est in training.values():
        extra += est.assumptions
    for plan in m.plans.values():
        extra += plan.assumptions
    extra += compute.evaluation_assumptions(m.training_gpu, m.open_model.params_b.value, m.mfu_base)
    for a in extra:
        seen.setdefault(a.name, a)
    return list(seen.values())
