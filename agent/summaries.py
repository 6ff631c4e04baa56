"""Calculator calls and the compact summaries the tools hand to a brain.

Every figure a brain may state comes from these summaries, under keys that say what it is
(``*_usd`` money, ``*_pct`` shares, plain counts), which is what the grounding check reads.
The full results (e.g. the whole ``TcoResult``) go to the session state for the UI.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from agent.scenario_ops import DEFAULT_API_MODEL, DEFAULT_USAGE, load


def _key(scenario: dict) -> str:
    return json.dumps(scenario, sort_keys=True, default=str)


@lru_cache(maxsize=64)
def _tco_of(key: str):
    """``compute_tco`` of a scenario, cached: a turn asks for the same scenario's TCO several times."""
    from tools.tco import compute_tco

    return compute_tco(load(json.loads(key)))

PATH_LABELS = {
    "api": "Base-model API + prompting",
    "api_rag": "API + RAG",
    "vendor_finetune": "Vendor fine-tuning",
    "self_hosted_lora": "Self-hosted LoRA/QLoRA",
    "self_hosted_full": "Self-hosted full fine-tune",
}


def r(x: float, digits: int = 2) -> float:
    """Round for a summary: money to cents, large values to whole units."""
    x = float(x)
    return round(x, 0) if abs(x) >= 1000 else round(x, digits)


def price(name: str, kind: str) -> dict[str, Any]:
    if kind == "gpu":
        from tools.compute import get_gpu

        gpu = get_gpu(name)
        p = gpu.price_per_hour
        return {
            "gpu": gpu.id, "name": gpu.name, "memory_gb": gpu.memory_gb.value,
            "price_low_usd_per_hour": p.low.value, "price_typical_usd_per_hour": p.typical.value,
            "price_high_usd_per_hour": p.high.value, "source": p.typical.source,
            "as_of": str(p.typical.as_of),
            "summary": f"{gpu.name}: ${p.typical.value:,.2f}/GPU-hour typical "
                       f"(${p.low.value:,.2f} to ${p.high.value:,.2f})",
        }  # fmt: skip
    from tools.prices import get_api_model

    m = get_api_model(name)
    out = {
        "model": m.id, "name": m.name,
        "input_price_usd_per_mtok": m.input_price_per_mtok.value,
        "output_price_usd_per_mtok": m.output_price_per_mtok.value,
        "source": m.input_price_per_mtok.source, "as_of": str(m.input_price_per_mtok.as_of),
        "summary": f"{m.name}: ${m.input_price_per_mtok.value:,.2f} per 1M input tokens, "
                   f"${m.output_price_per_mtok.value:,.2f} per 1M output tokens",
    }  # fmt: skip
    if m.cached_input_price_per_mtok is not None:
        out["cached_input_price_usd_per_mtok"] = m.cached_input_price_per_mtok.value
    return out


def training(model: str, method: str, gpu_name: str, training_tokens: float,
             gpu_price_per_hour: float | None) -> tuple[dict[str, Any], dict[str, Any]]:
    from tools.compute import estimate_training, get_gpu, get_open_model

    gpu = get_gpu(gpu_name, field="gpu")
    spec = get_open_model(model, field="model")
    active = spec.active_params_b.value if spec.active_params_b is not None else None
    est = estimate_training(spec.params_b.value, training_tokens, method, gpu, active_params_b=active)
    rate = gpu_price_per_hour if gpu_price_per_hour is not None else gpu.price_per_hour.typical.value
    cost = est.gpu_hours * rate
    summary = {
        "model": spec.id, "params_b": spec.params_b.value, "method": method, "gpu": gpu.id,
        "training_tokens": training_tokens, "gpus_needed": est.gpus_needed,
        "gpu_hours": r(est.gpu_hours), "wall_clock_hours": r(est.wall_clock_hours),
        "memory_gb_required": r(est.memory_gb_required), "mfu_pct": round(est.mfu * 100, 1),
        "gpu_price_usd_per_hour": rate, "run_cost_usd": r(cost),
        "summary": f"{method} of {spec.name} on {gpu.name}: {est.gpus_needed} GPU(s), "
                   f"{est.gpu_hours:,.1f} GPU-hours, about ${cost:,.0f} per run",
    }  # fmt: skip
    return summary, {"training": {**est.model_dump(mode="json"), "run_cost_usd": cost,
                                  "gpu_price_per_hour": rate}}


def stated_defaults(scenario: dict) -> list[str]:
    """The advisor's own defaults still in the scenario (not said by the user), as labels."""
    out = []
    usage = scenario.get("usage") or {}
    if all(usage.get(k) == v for k, v in DEFAULT_USAGE.items()) and len(
        [k for k in usage if k.endswith(("tokens", "per_day", "per_month", "spend_usd"))]
    ) == 2:
        out.append("volume")
    if (scenario.get("api") or {}).get("model", DEFAULT_API_MODEL) == DEFAULT_API_MODEL:
        out.append("api_model")
    return out


def tco(scenario: dict) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run ``compute_tco`` on the session scenario; the summary a brain reads and the full result."""
    result = _tco_of(_key(scenario))
    api = result.path("api")
    by_name = {a.name: a for a in result.assumptions}
    paths = []
    for p in result.paths:
        lines = sorted((line for line in p.lines if line.total > 0), key=lambda line: -line.total)[:3]
        entry: dict[str, Any] = {
            "path": p.id, "label": PATH_LABELS.get(p.id, p.label), "feasible": p.feasible,
            "total_usd": r(p.total), "month_1_usd": r(p.months[0]),
            "last_month_usd": r(p.months[-1]), "npv_usd": r(p.npv),
            "cost_per_mtok_usd": None if p.cost_per_mtok is None else r(p.cost_per_mtok),
            "vs_api_usd": r(p.total - api.total),
            "vs_api_pct": round((p.total / api.total - 1.0) * 100.0, 1) if api.total > 0 else None,
            "break_even_month": p.break_even_month,
            "break_even_monthly_tokens": None if p.break_even_monthly_tokens is None
            else float(round(p.break_even_monthly_tokens, -6)),
            "biggest_cost_lines": [{"line": line.label, "total_usd": r(line.total)} for line in lines],
        }  # fmt: skip
        if not p.feasible:
            entry["infeasible_reason"] = p.infeasible_reason
        if p.replicas_first_month is not None and p.hosting is not None:
            entry["serving_gpus_month_1"] = p.replicas_first_month * p.hosting.gpus_per_replica
        paths.append(entry)
    cheapest = result.path(result.cheapest)

    def value(name: str) -> float | None:
        a = by_name.get(name)
        return float(a.value) if a is not None and isinstance(a.value, (int, float)) else None

    growth = value("usage.monthly_growth")
    summary: dict[str, Any] = {
        "horizon_months": result.horizon_months,
        "cheapest_path": cheapest.id,
        "cheapest_label": PATH_LABELS.get(cheapest.id, cheapest.label),
        "paths": paths,
        "usage": {
            "month_1_input_tokens": float(round(result.monthly_input_tokens[0])),
            "month_1_output_tokens": float(round(result.monthly_output_tokens[0])),
            "month_1_total_tokens": float(round(result.monthly_input_tokens[0] + result.monthly_output_tokens[0])),
            "monthly_growth_pct": None if growth is None else round(growth * 100.0, 2),
            "input_output_ratio": value("usage.input_output_ratio"),
        },
        "api": {
            "model": (scenario.get("api") or {}).get("model", DEFAULT_API_MODEL),
            "input_price_usd_per_mtok": value("api.input_price_per_mtok"),
            "output_price_usd_per_mtok": value("api.output_price_per_mtok"),
        },
        "self_hosted": {
            "model": (scenario.get("self_hosted") or {}).get("model", "llama-3.1-8b"),
            "lora_method": (scenario.get("self_hosted") or {}).get("lora_method", "lora"),
            "training_gpu_price_usd_per_hour": value("self_hosted.training_gpu_price_per_hour"),
            "serving_gpu_price_usd_per_hour": value("self_hosted.serving_gpu_price_per_hour"),
        },
        "defaults_assumed": stated_defaults(scenario),
        "summary": f"cheapest over {result.horizon_months} months: {PATH_LABELS.get(cheapest.id, cheapest.id)} "
                   f"at ${cheapest.total:,.0f}; API ${api.total:,.0f}",
    }  # fmt: skip
    return summary, {"tco": result.model_dump(mode="json"), "scenario_full": load(scenario).model_dump(mode="json")}


def risk(scenario: dict, samples: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Sensitivity ranking (tornado) and a seeded Monte Carlo."""
    from tools.tco import resolve
    from tools.uncertainty import run_monte_carlo, sensitivity

    s = load(scenario)
    sens = sensitivity(s)
    units = {name: i.unit for name, i in resolve(s).inputs.items()}
    drivers = []
    for row in sens.rows[:3]:
        swing = max(row.swing.values()) if row.swing else 0.0
        unit = units.get(row.input, "")
        if unit.startswith("USD"):
            span = {"low_usd": r(row.low), "base_usd": r(row.base), "high_usd": r(row.high)}
        elif unit.startswith("fraction"):
            span = {"low_pct": round(row.low * 100, 2), "base_pct": round(row.base * 100, 2),
                    "high_pct": round(row.high * 100, 2)}
        else:
            span = {"low": r(row.low), "base": r(row.base), "high": r(row.high)}
        drivers.append({
            "input": row.input, "unit": unit, **span,
            "decision_changes": row.decision_changes, "cheapest_at_low": row.cheapest_low,
            "cheapest_at_high": row.cheapest_high, "margin_swing_usd": r(row.margin_swing),
            "largest_swing_usd": r(swing),
        })  # fmt: skip
    summary: dict[str, Any] = {"cheapest_path": sens.cheapest, "runner_up": sens.runner_up,
                               "default_swing_pct": round(sens.default_swing * 100, 1), "drivers": drivers}
    results: dict[str, Any] = {"sensitivity": sens.model_dump(mode="json")}
    if samples <= 0:
        summary["summary"] = f"top driver: {drivers[0]['input'] if drivers else 'none'}; cheapest {sens.cheapest}"
        return summary, results
    try:
        mc = run_monte_carlo(s, samples=samples, seed=0)
    except (ValueError, ArithmeticError) as error:  # the ranking alone still answers "what matters"
        summary["monte_carlo_error"] = str(error)
    else:
        summary["monte_carlo"] = {
            "samples": mc.samples, "seed": mc.seed,
            "paths": [{"path": d.id, "p10_usd": r(d.p10), "p50_usd": r(d.p50), "p90_usd": r(d.p90),
                       "probability_cheapest_pct": round(d.probability_cheapest * 100, 1)}
                      for d in mc.paths if d.feasible],
        }  # fmt: skip
        results["monte_carlo"] = mc.model_dump(mode="json")
    top = drivers[0]["input"] if drivers else "none"
    summary["summary"] = f"top driver: {top}; cheapest {sens.cheapest}, runner-up {sens.runner_up}"
    return summary, results


_VERDICT_DEFAULTS = {"domain": "general", "proprietary_data": "none"}


def verdict(scenario: dict, answers: dict) -> tuple[dict[str, Any], dict[str, Any]]:
    """The four-pillar verdict on the user's answers, with pillar 4 from the scenario's TCO."""
    from tools.verdict import (
        DataAndConsistency,
        DeploymentConstraints,
        TaskSpecificity,
        TcoSummary,
        VerdictInput,
        decide_verdict,
    )

    s = load(scenario)
    result = _tco_of(_key(scenario))
    api = result.path("api")
    spend = sum(line.months[0] for line in api.lines if line.id in ("api_input_tokens", "api_output_tokens"))
    assumed = {k: v for k, v in _VERDICT_DEFAULTS.items() if k not in answers}
    given = {**_VERDICT_DEFAULTS, **answers}
    if s.constraints.on_prem_required and "data_must_stay_on_prem" not in given:
        given["data_must_stay_on_prem"] = True

    def pick(model) -> dict:
        return {k: v for k, v in given.items() if k in model.model_fields}

    inp = VerdictInput(
        task=TaskSpecificity(**pick(TaskSpecificity)),
        data=DataAndConsistency(**pick(DataAndConsistency)),
        constraints=DeploymentConstraints(**pick(DeploymentConstraints)),
        tco=TcoSummary(
            totals_by_path={p.id: p.total for p in result.paths if p.feasible and p.id in
                            ("api", "api_rag", "vendor_finetune", "self_hosted_lora", "self_hosted_full")},
            monthly_api_spend=spend, horizon_months=result.horizon_months,
        ) if any(p.feasible for p in result.paths if p.id != "api") and result.path("api").feasible else None,
    )  # fmt: skip
    v = decide_verdict(inp)
    summary = {
        "recommendation": v.recommendation, "headline": v.headline.rstrip("."),
        "suggested_path": v.suggested_path, "deployment": v.deployment,
        "reasons": [{"pillar": r_.pillar_name, "text": r_.finding, "leans": r_.leans} for r_ in v.reasons],
        "what_would_change": list(v.what_would_change[:2]),
        "answers_assumed": assumed,
        "summary": f"{v.recommendation}: {v.headline}",
    }  # fmt: skip
    return summary, {"verdict": v.model_dump(mode="json")}


def defaults_in_force(scenario: dict) -> dict[str, float]:
    """Values the TCO uses for every input (the scenario's or the sourced defaults), by dotted path,
    so a what-if can scale an input the user never stated ("GPU prices drop 30%")."""
    out: dict[str, float] = {}
    for a in _tco_of(_key(scenario)).assumptions:
        if isinstance(a.value, (int, float)):
            out.setdefault(a.name, float(a.value))
    return out


__all__ = ["PATH_LABELS", "defaults_in_force", "load", "price", "risk", "tco", "training", "verdict"]
