"""What ``advisor tco`` prints: the five paths as rich tables, or the full result as JSON."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

SHORT = {
    "api": "API + prompting",
    "api_rag": "API + RAG",
    "vendor_finetune": "Vendor fine-tune",
    "self_hosted_lora": "Self-hosted LoRA",
    "self_hosted_full": "Self-hosted full FT",
}
KEY_ASSUMPTIONS = (
    "api.input_price_per_mtok",
    "api.output_price_per_mtok",
    "usage.monthly_growth",
    "discount_rate_annual",
    "vendor.training_price_per_mtok",
    "vendor.inference_premium",
    "self_hosted.training_gpu_price_per_hour",
    "self_hosted.serving_gpu_price_per_hour",
    "operations.monitoring_fte_self_hosted",
    "operations.ml_engineer_hourly_rate",
    "data.examples",
    "data.annotation_cost_per_example",
)


def money(x: float | None) -> str:
    if x is None:
        return "-"
    return f"${x:,.0f}" if abs(x) >= 100 else f"${x:,.2f}"


def short(x: float | None) -> str:
    """Compact money for wide tables: $950, $12.3k, $1.25M."""
    if x is None:
        return "-"
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= size:
            return f"${x / size:,.3g}{unit}"
    return f"${x:,.0f}" if abs(x) >= 10 else f"${x:,.2f}"


def tokens(x: float | None) -> str:
    if x is None:
        return "none"
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= size:
            return f"{x / size:,.3g}{unit}"
    return f"{x:,.0f}"


def parse_sets(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` what-if overrides; values are read as YAML (numbers, {low: .., high: ..})."""
    import yaml

    from tools.common import AdvisorError

    updates: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise AdvisorError("--set", f"expected key=value, got {pair!r}")
        try:
            updates[key.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise AdvisorError(key.strip(), f"cannot read value {raw!r}") from None
    return updates


def full_result(scenario, result, monte_carlo, tornado) -> str:
    payload = {
        "scenario": scenario.model_dump(mode="json", exclude_none=True),
        "tco": result.model_dump(mode="json"),
        "monte_carlo": monte_carlo.model_dump(mode="json") if monte_carlo else None,
        "sensitivity": tornado.model_dump(mode="json") if tornado else None,
    }
    return json.dumps(payload, indent=2)


def make_console() -> Console:
    """The terminal's width on a terminal; 120 columns when piped, so tables stay readable."""
    import sys

    return Console(width=None if sys.stdout.isatty() else 120)


def render(console: Console, result, monte_carlo=None, tornado=None) -> None:
    from tools.tco import LINE_LABELS

    h = result.horizon_months
    first = result.monthly_input_tokens[0] + result.monthly_output_tokens[0]
    console.print(
        f"[bold]{result.scenario_name}[/bold]: {h} months, month 1 at {tokens(first)} tokens "
        f"({tokens(result.monthly_input_tokens[0])} in / {tokens(result.monthly_output_tokens[0])} out), "
        f"amounts in {result.currency}"
    )
    table = Table(title=f"Total cost of ownership over {h} months")
    for col, justify in (
        ("Path", "left"), (f"Total\n{h} mo", "right"), ("NPV", "right"), ("Month\n1", "right"),
        (f"Month\n{h}", "right"), ("per 1M\ntokens", "right"), ("Break-even\nmonth", "right"),
        ("Break-even\ntokens/mo", "right"),
    ):  # fmt: skip
        table.add_column(col, justify=justify, no_wrap=col == "Path")  # type: ignore[arg-type]
    for p in result.paths:
        mark = " *" if p.id == result.cheapest else ""
        label = SHORT[p.id] + mark if p.feasible else f"[dim]{SHORT[p.id]} (x)[/dim]"
        table.add_row(
            label,
            short(p.total),
            short(p.npv),
            short(p.months[0]),
            short(p.months[-1]),
            money(p.cost_per_mtok),
            "-" if p.id == "api" else (str(p.break_even_month) if p.break_even_month else "never"),
            "-" if p.id == "api" else tokens(p.break_even_monthly_tokens),
        )
    console.print(table)
    cheapest = result.path(result.cheapest)
    console.print(f"* Cheapest feasible path: [bold]{cheapest.label}[/bold] ({money(cheapest.total)}).")
    ruled_out = [p for p in result.paths if not p.feasible]
    if ruled_out:
        reason = ruled_out[0].infeasible_reason
        console.print(f"(x) ruled out by {reason}: {', '.join(SHORT[p.id] for p in ruled_out)}.")
    console.print("Break-even: first month the path's cumulative cost is at or below the API's; "
                  "volume: month-1 tokens/month at which the horizon totals match.")

    breakdown = Table(title="Breakdown by cost line (horizon totals)")
    breakdown.add_column("Cost line")
    for p in result.paths:
        breakdown.add_column(SHORT[p.id], justify="right")
    by_path = {p.id: {line.id: line.total for line in p.lines} for p in result.paths}
    for line_id, label in LINE_LABELS.items():
        cells = [by_path[p.id].get(line_id) for p in result.paths]
        if all(c is None for c in cells):
            continue
        breakdown.add_row(label.split(" (")[0], *("" if c is None else short(c) for c in cells))
    console.print(breakdown)

    if monte_carlo is not None:
        mc = Table(title=f"Monte Carlo: {monte_carlo.samples:,} samples, seed {monte_carlo.seed}")
        for col in ("Path", "P10", "P50", "P90", "P(cheapest)"):
            mc.add_column(col, justify="left" if col == "Path" else "right")
        for d in monte_carlo.paths:
            mc.add_row(SHORT[d.id], short(d.p10), short(d.p50), short(d.p90), f"{d.probability_cheapest:.0%}")
        console.print(mc)
        if not monte_carlo.uncertain_inputs:
            console.print("[dim]No input was given as a range; totals are certain.[/dim]")
    if tornado is not None:
        tt = Table(title=f"Sensitivity: what moves the decision (base winner {tornado.cheapest})")
        for col in ("Input", "Low", "High", "Cheapest at low / high", "Lead swing"):
            tt.add_column(col, justify="left" if col in ("Input", "Cheapest at low / high") else "right")
        for row in tornado.rows[:10]:
            tt.add_row(
                row.input + ("" if row.from_range else " (+-25%)"),
                f"{row.low:,.4g}",
                f"{row.high:,.4g}",
                f"{row.cheapest_low} / {row.cheapest_high}" + (" [bold]flips[/bold]" if row.decision_changes else ""),
                short(row.margin_swing),
            )
        console.print(tt)

    assumptions = {a.name: a for a in result.assumptions}
    at = Table(title=f"Key assumptions ({len(result.assumptions)} in all; --json lists every one)")
    at.add_column("Assumption", overflow="fold", min_width=20)
    at.add_column("Value", overflow="fold", min_width=14)
    at.add_column("Source", overflow="ellipsis", no_wrap=True, max_width=20)
    at.add_column("As of", no_wrap=True)
    for name in KEY_ASSUMPTIONS:
        a = assumptions.get(name)
        if a is not None:
            value = f"{a.value:,.4g}" if isinstance(a.value, float | int) else str(a.value)
            at.add_row(name, f"{value} {a.unit}", a.source, str(a.as_of or ""))
    console.print(at)
