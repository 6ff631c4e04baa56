"""Markdown pieces of the offline brain's answers, built only from tool summaries.

Every figure printed here is a value of a summary, rounded for display; nothing is computed.
"""

from __future__ import annotations

import re

_INPUT_LABELS = {
    "usage.monthly_input_tokens": "monthly input tokens",
    "usage.monthly_output_tokens": "monthly output tokens",
    "usage.monthly_total_tokens": "monthly token volume",
    "usage.monthly_growth": "monthly usage growth",
    "api.input_price_per_mtok": "API input price",
    "api.output_price_per_mtok": "API output price",
    "operations.ml_engineer_hourly_rate": "ML engineer hourly rate",
    "usage.monthly_api_spend_usd": "today's monthly API spend",
    "usage.input_tokens_per_request": "input tokens per request",
    "vendor.inference_premium": "the vendor's price premium for a fine-tuned model",
    "vendor.training_price_per_mtok": "the vendor's training price",
    "operations.retraining_cost_share": "retraining cost (share of the first run)",
    "operations.monitoring_tooling_monthly_usd": "monitoring tooling",
    "usage.peak_to_average": "peak-to-average load",
    "operations.monitoring_fte_self_hosted": "monitoring staff for a self-hosted model",
    "operations.monitoring_fte_vendor": "monitoring staff for a vendor-tuned model",
    "operations.hours_per_fte_month": "hours per staff-month",
    "self_hosted.training_gpu_price_per_hour": "training GPU price",
    "self_hosted.serving_gpu_price_per_hour": "serving GPU price",
    "api.prompt_engineer_hourly_rate": "prompt engineer hourly rate",
    "data.examples": "training examples",
}


def money(x: float | None) -> str:
    if x is None:
        return "n/a"
    if abs(x) >= 1e6:
        return f"${x / 1e6:,.2f}M"
    if abs(x) >= 100:
        return f"${x:,.0f}"
    return f"${x:,.2f}"


def tokens(x: float | None) -> str:
    if x is None:
        return "n/a"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            v = x / scale
            return f"{v:,.0f}{suffix}" if v == round(v) else f"{v:,.2f}{suffix}"
    return f"{x:,.0f}"


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:g}%"


def growth_text(x: float | None) -> str | None:
    if x is None:
        return None
    return "no monthly growth" if x == 0 else f"{pct(x)} monthly growth"


def number(x: float) -> str:
    return f"{x:,.0f}" if x == round(x) else f"{x:,.2f}"


def label_of(name: str) -> str:
    if name in _INPUT_LABELS:
        return _INPUT_LABELS[name]
    return name.rsplit(".", 1)[-1].replace("_", " ")


def _feasible(summary: dict) -> list[dict]:
    return [p for p in summary.get("paths", []) if p.get("feasible")]


def _path(summary: dict, path_id: str) -> dict | None:
    return next((p for p in summary.get("paths", []) if p["path"] == path_id), None)


def recommendation(summary: dict, verdict: dict | None) -> str:
    cheapest = _path(summary, summary["cheapest_path"]) or {}
    api = _path(summary, "api")
    horizon = summary["horizon_months"]
    head = f"**Recommendation: {verdict['headline']}.**" if verdict and verdict.get("headline") else None
    if summary["cheapest_path"] == "api" or api is None or not api.get("feasible"):
        cost = (f"Over {horizon} months the cheapest path is **{cheapest.get('label')}** at "
                f"**{money(cheapest.get('total_usd'))}**.")
    else:
        cost = (f"Over {horizon} months **{cheapest.get('label')}** is cheapest at "
                f"**{money(cheapest.get('total_usd'))}**, {money(-cheapest['vs_api_usd'])} less than the "
                f"API path ({money(api.get('total_usd'))}).")
    if head is None:
        head = ("**Recommendation: stay on the base-model API** and invest in prompting (and RAG if "
                "answers need your documents)." if summary["cheapest_path"] in ("api", "api_rag") else
                f"**Recommendation: consider {cheapest.get('label')}**, starting with a pilot on one "
                "contained use case.")
    return f"{head} {cost}"


def paths_table(summary: dict) -> str:
    rows = ["| Path | Total over {h} months | First month | per 1M tokens | vs API |".format(h=summary["horizon_months"]),
            "|---|---:|---:|---:|---:|"]
    for p in summary.get("paths", []):
        if not p.get("feasible"):
            rows.append(f"| {p['label']} | ruled out | | | {p.get('infeasible_reason') or ''} |")
            continue
        api_ok = bool((_path(summary, "api") or {}).get("feasible"))
        vs = "—" if p["path"] == "api" or not api_ok else (
            f"{'+' if p['vs_api_usd'] >= 0 else '−'}{money(abs(p['vs_api_usd']))}")
        mark = " ✅" if p["path"] == summary["cheapest_path"] else ""
        rows.append(f"| {p['label']}{mark} | {money(p['total_usd'])} | {money(p['month_1_usd'])} | "
                    f"{money(p.get('cost_per_mtok_usd'))} | {vs} |")
    return "\n".join(rows)


def cost_lines(summary: dict, path_ids: list[str]) -> str:
    """Where a path's money goes: its biggest cost lines over the horizon."""
    lines = ["**Where the money goes:**"]
    for path_id in path_ids:
        p = _path(summary, path_id)
        if p is None or not p.get("feasible") or not p.get("biggest_cost_lines"):
            continue
        items = ", ".join(f"{c['line']} {money(c['total_usd'])}" for c in p["biggest_cost_lines"])
        lines.append(f"- *{p['label']}*: {items}.")
    return "\n".join(lines) if len(lines) > 1 else ""


def break_even(summary: dict) -> str:
    adapted = [p for p in _feasible(summary) if p["path"] not in ("api", "api_rag")]
    api = _path(summary, "api")
    if api is None or not api.get("feasible"):
        return ("**Break-even:** none to compute: the API paths are ruled out by your constraints "
                f"({api.get('infeasible_reason') if api else 'no API baseline'}), so the choice is "
                "between the paths that remain.")
    hits = [p for p in adapted if p.get("break_even_month") is not None]
    horizon = summary["horizon_months"]
    if hits:
        first = min(hits, key=lambda p: p["break_even_month"])
        text = (f"**Break-even:** {first['label']} catches up with the API in month "
                f"{first['break_even_month']}.")
    else:
        text = f"**Break-even:** no fine-tuning path catches up with the API within {horizon} months."
    volumes = [p for p in adapted if p.get("break_even_monthly_tokens")]
    if volumes:
        best = min(volumes, key=lambda p: p["break_even_monthly_tokens"])
        current = summary.get("usage", {}).get("month_1_total_tokens")
        text += (f" {best['label']} would match the API at about {tokens(best['break_even_monthly_tokens'])} "
                 f"tokens a month" + (f" (you are at {tokens(current)})." if current else "."))
    return text


def drivers(risk: dict, *, show_monte_carlo: bool) -> str:
    rows = risk.get("drivers") or []
    if not rows:
        return ""
    lines = ["**What moves the decision:**"]
    for i, d in enumerate(rows[:3], 1):
        rng = _range_text(d)
        flip = (f" and flips the cheapest path to {d['cheapest_at_low'] if d['cheapest_at_low'] != risk['cheapest_path'] else d['cheapest_at_high']}"
                if d.get("decision_changes") else "")
        lines.append(f"{i}. **{label_of(d['input'])}**{rng}: moves the cheapest path's lead by "
                     f"{money(d.get('margin_swing_usd'))}{flip}.")
    mc = risk.get("monte_carlo")
    if show_monte_carlo and mc:
        lines.append("")
        lines.append("| Path | P10 | P50 | P90 | chance cheapest |")
        lines.append("|---|---:|---:|---:|---:|")
        for p in mc["paths"]:
            lines.append(f"| {p['path']} | {money(p['p10_usd'])} | {money(p['p50_usd'])} | "
                         f"{money(p['p90_usd'])} | {pct(p['probability_cheapest_pct'])} |")
    return "\n".join(lines)


def _range_text(d: dict) -> str:
    if "low_usd" in d:
        return f" ({money(d['low_usd'])} to {money(d['high_usd'])})"
    if "low_pct" in d:
        return f" ({pct(d['low_pct'])} to {pct(d['high_pct'])})"
    if "low" in d:
        return f" ({number(d['low'])} to {number(d['high'])})"
    return ""


def pillars(verdict: dict) -> str:
    reasons = verdict.get("reasons") or []
    if not reasons:
        return ""
    lines = ["**The four pillars:**"]
    for reason in reasons:
        lines.append(f"- *{reason['pillar']}*: {reason['text']}")
    return "\n".join(lines)


def defaults_line(summary: dict) -> str:
    assumed = summary.get("defaults_assumed") or []
    usage = summary.get("usage", {})
    api = summary.get("api", {})
    bits = []
    if "api_model" in assumed:
        bits.append(f"GPT-4o-class pricing ({money(api.get('input_price_usd_per_mtok'))} in / "
                    f"{money(api.get('output_price_usd_per_mtok'))} out per 1M tokens)")
    else:
        bits.append(f"{api.get('model')} at {money(api.get('input_price_usd_per_mtok'))} in / "
                    f"{money(api.get('output_price_usd_per_mtok'))} out per 1M tokens")
    ratio = usage.get("input_output_ratio")
    volume = (f"{tokens(usage.get('month_1_input_tokens'))} input + {tokens(usage.get('month_1_output_tokens'))} "
              f"output tokens in the first month")
    if "volume" in assumed:
        volume += " (a default: I don't know your volume yet)"
    bits.append(volume)
    if ratio:
        bits.append(f"{number(ratio)}:1 input:output")
    growth = growth_text(usage.get("monthly_growth_pct"))
    if growth:
        bits.append(growth)
    return "I assumed " + ", ".join(bits) + "; tell me if different."


def default_question(summary: dict) -> str | None:
    if "volume" in (summary.get("defaults_assumed") or []):
        return ("**One question:** how much do you use today — tokens a month, requests a day with tokens "
                "per request, or your monthly API bill?")
    return None


def assumptions_table(summary: dict) -> str:
    lines = [f"**The assumptions behind the figures** (cheapest: {summary['cheapest_label']}):", "",
             "| Input | Value |", "|---|---|"]
    usage = summary.get("usage", {})
    api = summary.get("api", {})
    sh = summary.get("self_hosted", {})
    lines.append(f"| API model | {api.get('model')} |")
    lines.append(f"| API prices per 1M tokens | {money(api.get('input_price_usd_per_mtok'))} in, "
                 f"{money(api.get('output_price_usd_per_mtok'))} out |")
    lines.append(f"| First-month tokens | {tokens(usage.get('month_1_input_tokens'))} in, "
                 f"{tokens(usage.get('month_1_output_tokens'))} out |")
    lines.append(f"| Monthly growth | {growth_text(usage.get('monthly_growth_pct')) or 'n/a'} |")
    lines.append(f"| Open model, method | {sh.get('model')}, {sh.get('lora_method')} |")
    lines.append(f"| GPU prices per hour | {money(sh.get('training_gpu_price_usd_per_hour'))} training, "
                 f"{money(sh.get('serving_gpu_price_usd_per_hour'))} serving |")
    lines.append(f"| Horizon | {summary['horizon_months']} months |")
    return "\n".join(lines)


def without_headings(text: str) -> str:
    """A passage's text less its Markdown heading lines (its section is cited by name anyway)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def plain_sentences(text: str, limit: int) -> str:
    """The first sentences of a passage that carry no figures (passages never ground a figure).

    A passage starts with its section's heading line, which has no full stop: it is left out, or it
    would run into the first sentence (the Sources line names the section)."""
    text = re.sub(r"[#*_`>|]+", " ", without_headings(text))
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    keep = [s for s in sentences if not re.search(r"\d", s) and len(s) > 20]
    return " ".join(keep[:limit]) or "See the passage cited."


def guidance(passages: list[dict]) -> str:
    lines = ["**What the guidance says:**"]
    for p in passages[:2]:
        lines.append(f"- {plain_sentences(p.get('snippet', ''), 1)} [{p['n']}]")
    lines.append("")
    lines.append(sources(passages))
    return "\n".join(lines)


def sources(passages: list[dict]) -> str:
    return "Sources: " + "; ".join(f"[{p['n']}] *{p.get('title', '')}*, {p.get('section', '')}" for p in passages)
