"""GPU and open-model catalogues, and compute from first principles: training GPU-hours from FLOPs and
MFU, GPUs needed from memory per parameter, and inference hosting sized by memory bandwidth.

Volume- and price-like arguments accept floats or numpy arrays (elementwise, broadcasting), so the
Monte Carlo can pass arrays of samples. Figures come from ``tools/data/{gpus,open_models,training}.yaml``.

Example: a LoRA fine-tune of an 8B model on 100M tokens on H100s.

>>> est = estimate_training(8.03, 100e6, "lora", get_gpu("h-100"))
>>> round(est.flops / 1e18, 2)        # 4 x 8.03e9 x 1e8
3.21
>>> est.gpus_needed, round(est.gpu_hours, 2)
(1, 6.01)
"""

from __future__ import annotations

import itertools
import math
import re
from functools import cache
from typing import Literal, get_args

import numpy as np
from numpy.typing import ArrayLike
from pydantic import Field, model_validator

from tools.common import AdvisorError, Assumption, Frozen, Sourced, UnknownNameError, load_data_file

TrainingMethod = Literal["full", "lora", "qlora"]
ServingPrecision = Literal["bf16", "fp8", "int4"]
GpuGeneration = Literal["ampere", "hopper", "ada"]

_SECONDS_PER_HOUR = 3600.0


# ---------------------------------------------------------------------------------------------
# catalogues


class PriceRange(Frozen):
    """Hourly price of one GPU: low (spot/committed), typical (neocloud), high (hyperscaler on-demand)."""

    low: Sourced
    typical: Sourced
    high: Sourced

    @model_validator(mode="after")
    def _ordered(self) -> PriceRange:
        if not (0 <= self.low.value <= self.typical.value <= self.high.value):
            raise ValueError("GPU prices must satisfy 0 <= low <= typical <= high")
        return self


class GpuSpec(Frozen):
    """One GPU model: datasheet specs and hourly prices, each with its source and date."""

    id: str
    name: str
    generation: GpuGeneration
    aliases: tuple[str, ...] = ()
    memory_gb: Sourced
    bf16_dense_tflops: Sourced
    memory_bandwidth_tbps: Sourced
    price_per_hour: PriceRange

    def spec_assumptions(self) -> tuple[Assumption, ...]:
        return (
            self.memory_gb.assumption(f"gpu.{self.id}.memory_gb"),
            self.bf16_dense_tflops.assumption(f"gpu.{self.id}.bf16_dense_tflops"),
            self.memory_bandwidth_tbps.assumption(f"gpu.{self.id}.memory_bandwidth_tbps"),
        )


class OpenModelSpec(Frozen):
    """An open-weight model: total parameters (memory) and, for a mixture of experts, active ones (FLOPs)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    params_b: Sourced
    active_params_b: Sourced | None = None

    @property
    def flops_params_b(self) -> float:
        """Parameters one token passes through: active ones for a mixture of experts."""
        return (self.active_params_b or self.params_b).value


_DROP_WORDS = re.compile(r"\b(nvidia|meta|instruct|chat|hf|it|base|gpu|the|v\d+(\.\d+)?)\b")


def _normalise(name: str) -> str:
    """Fold the ways people type a name onto one key: 'A100 80 gig' and 'a100-80gb' -> 'a10080gb'."""
    s = name.lower().strip()
    s = _DROP_WORDS.sub(" ", s)
    s = re.sub(r"(\d)\s*(gigs?|gib|g)\b", r"\1gb", s)
    s = re.sub(r"(\d)\s*(billion|bn)\b", r"\1b", s)
    return re.sub(r"[^a-z0-9]", "", s)


def _index(items, what: str) -> dict[str, object]:
    index: dict[str, object] = {}
    for item in items:
        for key in (item.id, item.name, *item.aliases):
            norm = _normalise(key)
            other = index.get(norm)
            if other is not None and other.id != item.id:
                raise ValueError(f"{what} name {key!r} is ambiguous: {other.id} and {item.id}")
            index[norm] = item
    return index


@cache
def _gpus() -> tuple[tuple[GpuSpec, ...], dict[str, object]]:
    gpus = tuple(GpuSpec.model_validate(g) for g in load_data_file("gpus.yaml")["gpus"])
    return gpus, _index(gpus, "GPU")


@cache
def _open_models() -> tuple[tuple[OpenModelSpec, ...], dict[str, object]]:
    models = tuple(OpenModelSpec.model_validate(m) for m in load_data_file("open_models.yaml")["models"])
    return models, _index(models, "open model")


def list_gpus() -> list[GpuSpec]:
    """Every GPU in the catalogue (A100 80GB/40GB, H100, H200, L40S, L4)."""
    return list(_gpus()[0])


def list_open_models() -> list[OpenModelSpec]:
    """Every open-weight model in the catalogue."""
    return list(_open_models()[0])


def _lookup(name: str, field: str, items, index) -> object:
    if not isinstance(name, str) or not name.strip():
        raise AdvisorError(field, f"expected a name, got {name!r}")
    found = index.get(_normalise(name))
    if found is None:
        raise UnknownNameError(field, name, [i.id for i in items])
    return found


def get_gpu(name: str, field: str = "gpu") -> GpuSpec:
    """The GPU called ``name`` (case, spaces, dashes and 'gig'/'GB' spellings are ignored).

    Raises UnknownNameError naming ``field`` with close-match suggestions.
    """
    items, index = _gpus()
    return _lookup(name, field, items, index)  # type: ignore[return-value]


def get_open_model(name: str, field: str = "model") -> OpenModelSpec:
    """The open-weight model called ``name`` ('llama 3 8b', 'Mistral-7B-Instruct', ...)."""
    items, index = _open_models()
    return _lookup(name, field, items, index)  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# assumption data


@cache
def _training_data() -> dict:
    raw = load_data_file("training.yaml")

    def parse(node):
        if isinstance(node, dict) and "value" in node and "source" in node:
            return Sourced.model_validate(node)
        if isinstance(node, dict):
            return {k: parse(v) for k, v in node.items()}
        return node

    return parse(raw)


def training_figure(path: str) -> Sourced:
    """One figure of training.yaml by dotted path, e.g. 'memory_bytes_per_param.full'."""
    node = _training_data()
    for part in path.split("."):
        node = node[part]
    if not isinstance(node, Sourced):
        raise KeyError(path)
    return node


def _fig(path: str) -> tuple[float, Assumption]:
    s = training_figure(path)
    return s.value, s.assumption(f"training.{path}")


def hours_per_month() -> Sourced:
    """730 h/month, the convention for turning an hourly price into a monthly one."""
    return training_figure("hours_per_month")


# ---------------------------------------------------------------------------------------------
# input checks


def _check_array(field: str, value: ArrayLike, *, positive: bool = False) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AdvisorError(field, f"expected a number, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise AdvisorError(field, "must be a finite number (no NaN or infinity)")
    if positive and np.any(arr <= 0):
        raise AdvisorError(field, "must be greater than 0")
    if np.any(arr < 0):
        raise AdvisorError(field, "must be 0 or more")
    return arr


def _check_method(method: str) -> None:
    if method not in get_args(TrainingMethod):
        raise AdvisorError("method", f"must be one of {', '.join(get_args(TrainingMethod))}, got {method!r}")


def _check_mfu(mfu: float) -> float:
    if not isinstance(mfu, (int, float)) or not math.isfinite(mfu) or not 0 < mfu <= 1:
        raise AdvisorError("mfu", f"must be a fraction in (0, 1], got {mfu!r}")
    return float(mfu)


def _out(arr: np.ndarray) -> float | np.ndarray:
    return float(arr) if arr.ndim == 0 else arr


# ---------------------------------------------------------------------------------------------
# training


class MfuAnchor(Frozen):
    params_b: float = Field(gt=0)
    mfu: Sourced


@cache
def _mfu_anchors(generation: str) -> tuple[MfuAnchor, ...]:
    raw = load_data_file("training.yaml")["mfu_anchors"][generation]
    anchors = tuple(sorted((MfuAnchor.model_validate(a) for a in raw), key=lambda a: a.params_b))
    return anchors


def default_mfu(gpu: GpuSpec, params_b: float) -> Assumption:
    """MFU default for this GPU generation and model size: the anchors of training.yaml (fitted to
    calibration.yaml), interpolated linearly in log(params) and held constant beyond the ends."""
    anchors = _mfu_anchors(gpu.generation)
    name = f"training.mfu_anchors.{gpu.generation}"
    unit = anchors[0].mfu.unit
    if params_b <= anchors[0].params_b or len(anchors) == 1:
        a = anchors[0]
        return a.mfu.assumption(name)
    if params_b >= anchors[-1].params_b:
        return anchors[-1].mfu.assumption(name)
    for lo, hi in itertools.pairwise(anchors):
        if lo.params_b <= params_b <= hi.params_b:
            value = float(_mfu_values(gpu, np.asarray(params_b, dtype=float), None))
            source = (
                f"interpolated in log(params) between {lo.params_b:g}B (MFU {lo.mfu.value:g}: {lo.mfu.source}) "
                f"and {hi.params_b:g}B (MFU {hi.mfu.value:g}: {hi.mfu.source})"
            )
            return Assumption(name=name, value=value, unit=unit, source=source, as_of=max(lo.mfu.as_of, hi.mfu.as_of))
    raise AssertionError("unreachable: anchors are sorted")


def _mfu_values(gpu: GpuSpec, params_b: np.ndarray, mfu: float | None) -> np.ndarray | float:
    """MFU per element of ``params_b`` (same interpolation as ``default_mfu``), or the user's value."""
    if mfu is not None:
        return _check_mfu(mfu)
    anchors = _mfu_anchors(gpu.generation)
    xs = np.log([a.params_b for a in anchors])
    ys = np.array([a.mfu.value for a in anchors])
    return np.interp(np.log(params_b), xs, ys)


def _mfu_and_assumption(gpu: GpuSpec, params_b: float, mfu: float | None) -> tuple[float, Assumption]:
    if mfu is not None:
        value = _check_mfu(mfu)
        return value, Assumption(name="training.mfu", value=value, unit="fraction of peak dense BF16", source="user")
    a = default_mfu(gpu, params_b)
    return float(a.value), a


def training_flops(
    params_b: ArrayLike, training_tokens: ArrayLike, method: TrainingMethod, *, active_params_b: ArrayLike | None = None
) -> float | np.ndarray:
    """Training FLOPs = k x N x D, k = 6 for a full fine-tune, 4 for LoRA/QLoRA (training.yaml)."""
    _check_method(method)
    n = _check_array("params_b", params_b if active_params_b is None else active_params_b, positive=True)
    d = _check_array("training_tokens", training_tokens)
    k = training_figure(f"flops_per_param_token.{method}").value
    return _out(k * n * 1e9 * d)


def training_gpu_hours(
    params_b: ArrayLike,
    training_tokens: ArrayLike,
    method: TrainingMethod,
    gpu: GpuSpec,
    *,
    mfu: float | None = None,
    active_params_b: float | None = None,
) -> float | np.ndarray:
    """GPU-hours = FLOPs / (peak dense BF16 x MFU x 3600) x method time overhead. Vectorised."""
    flops = np.asarray(training_flops(params_b, training_tokens, method, active_params_b=active_params_b))
    m = _mfu_values(gpu, _check_array("params_b", params_b, positive=True), mfu)
    overhead = training_figure(f"time_overhead.{method}").value
    return _out(flops / (gpu.bf16_dense_tflops.value * 1e12 * m * _SECONDS_PER_HOUR) * overhead)


def training_memory_gb(params_b: ArrayLike, method: TrainingMethod) -> float | np.ndarray:
    """GPU memory a run needs: N x (bytes/param [+ adapter state]) x activation headroom."""
    _check_method(method)
    n = _check_array("params_b", params_b, positive=True)
    per_param = training_figure(f"memory_bytes_per_param.{method}").value
    if method != "full":
        per_param += training_figure("adapter_state_bytes_per_param").value
    return _out(n * per_param * training_figure("activation_headroom").value)


def _round_up_gpu_count(raw: np.ndarray) -> np.ndarray:
    """Whole GPUs, laid out as 1, 2, 4, 8 or whole 8-GPU nodes (tensor/data-parallel layouts)."""
    raw = np.maximum(np.ceil(raw - 1e-9), 1)
    within_node = 2.0 ** np.ceil(np.log2(np.minimum(raw, 8)))
    return np.where(raw <= 8, within_node, np.ceil(raw / 8) * 8).astype(int)


def gpus_for_memory(memory_gb: ArrayLike, gpu: GpuSpec) -> int | np.ndarray:
    """GPUs whose usable memory (90% of the datasheet figure) holds ``memory_gb``, rounded to a layout."""
    mem = _check_array("memory_gb", memory_gb)
    usable = gpu.memory_gb.value * training_figure("usable_memory_fraction").value
    out = _round_up_gpu_count(mem / usable)
    return int(out) if out.ndim == 0 else out


class TrainingEstimate(Frozen):
    """Compute for one training run, with every figure it relied on."""

    method: TrainingMethod
    gpu_id: str
    params_b: float = Field(gt=0)
    training_tokens: float = Field(ge=0, description="Tokens processed (dataset tokens x epochs).")
    flops: float = Field(ge=0)
    memory_gb_required: float = Field(ge=0)
    gpus_needed: int = Field(ge=1)
    gpu_hours: float = Field(ge=0)
    wall_clock_hours: float = Field(ge=0)
    mfu: float = Field(gt=0, le=1)
    assumptions: tuple[Assumption, ...]


def estimate_training(
    params_b: float,
    training_tokens: float,
    method: TrainingMethod,
    gpu: GpuSpec,
    *,
    mfu: float | None = None,
    active_params_b: float | None = None,
) -> TrainingEstimate:
    """FLOPs, memory, GPUs and GPU-hours of one training run (scalars; see ``training_gpu_hours`` for arrays).

    Args:
        params_b: total parameters in billions (sets memory and the default MFU).
        training_tokens: tokens processed, i.e. dataset tokens x epochs.
        method: "full" (mixed-precision AdamW), "lora" (BF16 frozen base) or "qlora" (NF4 base).
        gpu: the GPU, from ``get_gpu``.
        mfu: model FLOPs utilisation; default from training.yaml by GPU generation and model size.
        active_params_b: parameters per token for a mixture of experts (sets FLOPs); default params_b.
    """
    _check_method(method)
    n = float(_check_array("params_b", params_b, positive=True))
    d = float(_check_array("training_tokens", training_tokens))
    n_active = n if active_params_b is None else float(_check_array("active_params_b", active_params_b, positive=True))
    if n_active > n:
        raise AdvisorError("active_params_b", f"must not exceed params_b ({n}), got {n_active}")

    m, mfu_assumption = _mfu_and_assumption(gpu, n, mfu)
    k, k_assumption = _fig(f"flops_per_param_token.{method}")
    overhead, overhead_assumption = _fig(f"time_overhead.{method}")
    flops = k * n_active * 1e9 * d
    gpu_hours = flops / (gpu.bf16_dense_tflops.value * 1e12 * m * _SECONDS_PER_HOUR) * overhead

    memory = float(training_memory_gb(n, method))
    gpus = gpus_for_memory(memory, gpu)
    memory_assumptions = [_fig(f"memory_bytes_per_param.{method}")[1]]
    if method != "full":
        memory_assumptions.append(_fig("adapter_state_bytes_per_param")[1])
    memory_assumptions += [_fig("activation_headroom")[1], _fig("usable_memory_fraction")[1]]

    return TrainingEstimate(
        method=method,
        gpu_id=gpu.id,
        params_b=n,
        training_tokens=d,
        flops=flops,
        memory_gb_required=memory,
        gpus_needed=gpus,
        gpu_hours=gpu_hours,
        wall_clock_hours=gpu_hours / gpus,
        mfu=m,
        assumptions=(
            k_assumption,
            mfu_assumption,
            overhead_assumption,
            *memory_assumptions,
            gpu.bf16_dense_tflops.assumption(f"gpu.{gpu.id}.bf16_dense_tflops"),
            gpu.memory_gb.assumption(f"gpu.{gpu.id}.memory_gb"),
        ),
    )


def estimate_evaluation_gpu_hours(
    params_b: ArrayLike,
    eval_tokens: ArrayLike,
    gpu: GpuSpec,
    *,
    mfu: float | None = None,
    active_params_b: float | None = None,
) -> float | np.ndarray:
    """GPU-hours of a forward-only pass over ``eval_tokens`` (2 x N x D FLOPs), e.g. one validation loop."""
    n = _check_array("params_b", params_b if active_params_b is None else active_params_b, positive=True)
    d = _check_array("eval_tokens", eval_tokens)
    m = _mfu_values(gpu, _check_array("params_b", params_b, positive=True), mfu)
    k = training_figure("flops_per_param_token.forward_only").value
    return _out(k * n * 1e9 * d / (gpu.bf16_dense_tflops.value * 1e12 * m * _SECONDS_PER_HOUR))


def evaluation_assumptions(gpu: GpuSpec, params_b: float, mfu: float | None = None) -> tuple[Assumption, ...]:
    """The figures ``estimate_evaluation_gpu_hours`` relies on, for a result's assumption list."""
    return (
        _fig("flops_per_param_token.forward_only")[1],
        _mfu_and_assumption(gpu, params_b, mfu)[1],
        gpu.bf16_dense_tflops.assumption(f"gpu.{gpu.id}.bf16_dense_tflops"),
    )


class CalibrationRun(Frozen):
    """A published training run the MFU defaults are checked against (tools/data/calibration.yaml)."""

    id: str
    model: str
    gpu: str
    params_b: float = Field(gt=0)
    tokens: float = Field(gt=0)
    implied_mfu: float = Field(gt=0, le=1)
    gpu_hours: Sourced


@cache
def _calibration_runs() -> tuple[CalibrationRun, ...]:
    return tuple(CalibrationRun.model_validate(r) for r in load_data_file("calibration.yaml")["runs"])


def list_calibration_runs() -> list[CalibrationRun]:
    """Published GPU-hours of real runs, each cited; the estimator lands within +-25% of each."""
    return list(_calibration_runs())


# ---------------------------------------------------------------------------------------------
# inference hosting


class HostingEstimate(Frozen):
    """One serving replica: its GPUs and its decode throughput, with the model behind it.

    Decode is memory-bandwidth-bound: each step streams the weights and the batch's KV cache from
    memory once and yields one token per sequence in flight, so
    tokens/s = concurrency x bandwidth x efficiency / (weight bytes x (1 + KV headroom)),
    capped by compute at peak x decode MFU / (2 x active parameters).
    """

    gpu_id: str
    method: TrainingMethod
    precision: ServingPrecision
    params_b: float = Field(gt=0)
    weights_gb: float = Field(gt=0)
    memory_gb_per_replica: float = Field(gt=0)
    gpus_per_replica: int = Field(ge=1)
    concurrent_sequences: int = Field(ge=1)
    tokens_per_s_per_replica: float = Field(gt=0, description="Peak decode throughput of one replica.")
    bound_by: Literal["memory_bandwidth", "compute"]
    target_utilization: float = Field(gt=0, le=1, description="Share of capacity planned for at peak.")
    assumptions: tuple[Assumption, ...]


def plan_hosting(
    params_b: float,
    gpu: GpuSpec,
    *,
    method: TrainingMethod = "lora",
    precision: ServingPrecision = "bf16",
    concurrent_sequences: int | None = None,
    decode_efficiency: float | None = None,
    active_params_b: float | None = None,
) -> HostingEstimate:
    """Size one serving replica of a (fine-tuned) model on ``gpu``.

    LoRA/QLoRA adapters are assumed merged into the base weights for serving, so ``method`` does not
    change the size; it is recorded so the result says which path it sized.
    """
    _check_method(method)
    if precision not in get_args(ServingPrecision):
        raise AdvisorError("precision", f"must be one of {', '.join(get_args(ServingPrecision))}, got {precision!r}")
    n = float(_check_array("params_b", params_b, positive=True))
    n_active = n if active_params_b is None else float(_check_array("active_params_b", active_params_b, positive=True))

    bytes_per_param, a_bytes = _fig(f"serving_weight_bytes_per_param.{precision}")
    kv, a_kv = _fig("kv_cache_headroom")
    if decode_efficiency is None:
        eff, a_eff = _fig("decode_bandwidth_efficiency")
    else:
        if not math.isfinite(decode_efficiency) or not 0 < decode_efficiency <= 1:
            raise AdvisorError("decode_efficiency", f"must be a fraction in (0, 1], got {decode_efficiency!r}")
        eff = float(decode_efficiency)
        a_eff = Assumption(name="training.decode_bandwidth_efficiency", value=eff, unit="fraction", source="user")
    if concurrent_sequences is None:
        conc_f, a_conc = _fig("concurrent_sequences_per_replica")
        conc = int(conc_f)
    else:
        if not isinstance(concurrent_sequences, int) or concurrent_sequences < 1:
            raise AdvisorError("concurrent_sequences", f"must be a whole number >= 1, got {concurrent_sequences!r}")
        conc = concurrent_sequences
        a_conc = Assumption(name="training.concurrent_sequences_per_replica", value=conc, unit="sequences", source="user")
    decode_mfu, a_mfu = _fig("decode_compute_mfu")
    target, a_target = _fig("target_utilization")

    weights_gb = n * bytes_per_param
    memory_gb = weights_gb * (1 + kv)
    gpus = gpus_for_memory(memory_gb, gpu)
    bandwidth_gbps = gpus * gpu.memory_bandwidth_tbps.value * 1000 * eff
    tps_bandwidth = conc * bandwidth_gbps / memory_gb
    tps_compute = gpus * gpu.bf16_dense_tflops.value * 1e12 * decode_mfu / (2 * n_active * 1e9)
    bound = "memory_bandwidth" if tps_bandwidth <= tps_compute else "compute"

    return HostingEstimate(
        gpu_id=gpu.id,
        method=method,
        precision=precision,
        params_b=n,
        weights_gb=weights_gb,
        memory_gb_per_replica=memory_gb,
        gpus_per_replica=gpus,
        concurrent_sequences=conc,
        tokens_per_s_per_replica=min(tps_bandwidth, tps_compute),
        bound_by=bound,
        target_utilization=target,
        assumptions=(
            a_bytes,
            a_kv,
            a_eff,
            a_conc,
            a_mfu,
            a_target,
            _fig("usable_memory_fraction")[1],
            hours_per_month().assumption("training.hours_per_month"),
            *gpu.spec_assumptions(),
        ),
    )


def replicas_needed(peak_output_tokens_per_s: ArrayLike, plan: HostingEstimate, min_replicas: int = 2) -> np.ndarray:
    """Replicas to serve a peak decode load at the plan's target utilisation, never fewer than
    ``min_replicas`` (availability). Integer array shaped like the load; GPUs = replicas x plan.gpus_per_replica.
    """
    if not isinstance(min_replicas, (int, np.integer)) or min_replicas < 1:
        raise AdvisorError("min_replicas", f"must be a whole number >= 1, got {min_replicas!r}")
    load = _check_array("peak_output_tokens_per_s", peak_output_tokens_per_s)
    capacity = plan.tokens_per_s_per_replica * plan.target_utilization
    return np.maximum(np.ceil(load / capacity - 1e-9), min_replicas).astype(int)


def hosting_gpu_hours_per_month(
    peak_output_tokens_per_s: ArrayLike, plan: HostingEstimate, min_replicas: int = 2
) -> np.ndarray:
    """GPU-hours per month of an always-on deployment: replicas x GPUs per replica x 730 h."""
    replicas = replicas_needed(peak_output_tokens_per_s, plan, min_replicas)
    return replicas * plan.gpus_per_replica * hours_per_month().value
