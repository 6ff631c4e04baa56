"""Plotly figures of a TCO result: cumulative cost per path with break-even, stacked breakdown,
sensitivity tornado and the P10-P90 band. Each takes the JSON form of the cost engine's results
(what the advisor stores), through the ``normalize_*`` readers below."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

PATH_COLOURS = {
    "api": "#4C78A8",
    "api_rag": "#72B7B2",
    "vendor_finetune": "#F58518",
    "self_hosted_lora": "#54A24B",
    "self_hosted_full": "#E45756",
}
LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    "height": 340,
    "legend": {"orientation": "h", "yanchor": "bottom", "y": -0.35, "x": 0},
    "font": {"size": 12},
}


def _first(d: dict, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(d, dict) and d.get(name) is not None:
            return d[name]
    return default


SHORT_LABELS = {
    "api": "API + prompting",
    "api_rag": "API + RAG",
    "vendor_finetune": "Vendor fine-tune",
    "self_hosted_lora": "Self-hosted LoRA",
    "self_hosted_full": "Self-hosted full FT",
}


def _label(path_id: str) -> str:
    return SHORT_LABELS.get(path_id, path_id.replace("_", " "))


def normalize_tco(tco: dict) -> dict:
    """The parts of a TCO result the charts and tables need, in one plain shape:
    ``{"paths": [{id, label, monthly, cumulative, total, breakdown, break_even_month, npv,
    cost_per_mtok, available, note}], "cheapest", "horizon", "assumptions"}``."""
    raw_paths = _first(tco, "paths", default=[])
    if isinstance(raw_paths, dict):
        raw_paths = [{"id": k, **v} for k, v in raw_paths.items()]
    paths = []
    for p in raw_paths:
        pid = str(_first(p, "id", "path", "path_id", default="?"))
        months = _first(p, "months", "monthly", "cash_flows", default=[])
        monthly: list[float] = []
        cumulative: list[float] = []
        line_totals: dict[str, float] = {}
        for row in months:
            if isinstance(row, (int, float)):
                monthly.append(float(row))
                continue
            total = float(_first(row, "total", "total_usd", "cost", default=0.0))
            monthly.append(total)
            if row.get("cumulative") is not None:
                cumulative.append(float(row["cumulative"]))
        if isinstance(p.get("cumulative"), list) and len(p["cumulative"]) == len(monthly):
            cumulative = [float(x) for x in p["cumulative"]]
        if len(cumulative) != len(monthly):
            running = 0.0
            cumulative = []
            for value in monthly:
                running += value
                cumulative.append(running)
        breakdown = _first(p, "breakdown", "cost_lines", "lines", default={})
        if isinstance(breakdown, list):
            breakdown = {
                str(_first(b, "label", "line", "name", "id")): float(_first(b, "total", "total_usd", "value", default=0))
                for b in breakdown
            }
        for line, value in (breakdown or {}).items():
            line_totals[str(line)] = float(value if not isinstance(value, dict) else _first(value, "total", "value", default=0))
        paths.append(
            {
                "id": pid,
                "label": SHORT_LABELS.get(pid) or str(_first(p, "label", "name", default=pid)),
                "monthly": monthly,
                "cumulative": cumulative,
                "total": float(_first(p, "total", "total_usd", default=cumulative[-1] if cumulative else 0.0)),
                "breakdown": line_totals,
                "break_even_month": _first(p, "break_even_month"),
                "npv": _first(p, "npv", "npv_usd"),
                "cost_per_mtok": _first(p, "cost_per_mtok", "cost_per_million_tokens"),
                "available": bool(p.get("feasible", True)) and not p.get("excluded", False),
                "note": _first(p, "infeasible_reason", "excluded_reason", "note", default="") or "",
            }
        )
    return {
        "paths": paths,
        "cheapest": _first(tco, "cheapest", "cheapest_path"),
        "horizon": _first(tco, "horizon_months", default=max((len(p["monthly"]) for p in paths), default=0)),
        "assumptions": _first(tco, "assumptions", default=[]),
    }


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(**LAYOUT)
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def cumulative_figure(tco: dict | None) -> go.Figure:
    """Cumulative cost of each path over the horizon, each break-even month marked."""
    title = "Cumulative cost per path"
    if not tco:
        return _empty(title, "Ask a question or edit the scenario to see the figures.")
    data = normalize_tco(tco)
    fig = go.Figure()
    for p in data["paths"]:
        colour = PATH_COLOURS.get(p["id"])
        x = list(range(1, len(p["cumulative"]) + 1))
        fig.add_trace(
            go.Scatter(
                x=x,
                y=p["cumulative"],
                name=p["label"],
                mode="lines",
                line={"color": colour, "width": 3 if p["id"] == data["cheapest"] else 2},
                hovertemplate="%{fullData.name}<br>month %{x}: $%{y:,.0f}<extra></extra>",
            )
        )
        month = p["break_even_month"]
        if isinstance(month, (int, float)) and 1 <= month <= len(p["cumulative"]):
            m = int(month)
            fig.add_trace(
                go.Scatter(
                    x=[m],
                    y=[p["cumulative"][m - 1]],
                    mode="markers+text",
                    marker={"symbol": "diamond", "size": 11, "color": colour, "line": {"width": 1, "color": "#222"}},
                    text=[f"break-even m{m}"],
                    textposition="top right",
                    name=f"{p['label']} break-even",
                    showlegend=False,
                    hovertemplate=f"{p['label']} breaks even with the API in month {m}<extra></extra>",
                )
            )
    fig.update_layout(**LAYOUT)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0}, margin={"l": 10, "r": 10, "t": 20, "b": 10})
    fig.update_xaxes(title="month")
    fig.update_yaxes(title="USD, cumulative", tickprefix="$", tickformat="~s")
    return fig


def breakdown_figure(tco: dict | None) -> go.Figure:
    """Each path's total over the horizon, stacked by cost line."""
    title = "Cost breakdown per path"
    if not tco:
        return _empty(title, "No figures yet.")
    data = normalize_tco(tco)
    labels = [p["label"] for p in data["paths"]]
    lines: list[str] = []
    for p in data["paths"]:
        for line in p["breakdown"]:
            if line not in lines:
                lines.append(line)
    fig = go.Figure()
    for line in lines:
        values = [p["breakdown"].get(line, 0.0) for p in data["paths"]]
        if not any(abs(v) > 0 for v in values):
            continue
        fig.add_trace(
            go.Bar(
                y=labels,
                x=values,
                orientation="h",
                name=line,
                hovertemplate="%{y}<br>" + line + ": $%{x:,.0f}<extra></extra>",
            )
        )
    fig.update_layout(**LAYOUT)
    fig.update_layout(
        barmode="stack",
        height=520,
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0, "font": {"size": 10}},
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
    )
    fig.update_xaxes(title="USD over the horizon", tickprefix="$", tickformat="~s")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def normalize_sensitivity(sens: dict, tco: dict | None = None) -> tuple[str, list[dict]]:
    """Tornado rows ``{name, low, high, base, flips}``, largest swing first.

    The outcome is the horizon total of the base case's cheapest path, at each input's low and
    high end; ``flips`` marks inputs whose swing changes which path is cheapest."""
    cheapest = sens.get("cheapest")
    paths = {p["id"]: p for p in normalize_tco(tco)["paths"]} if tco else {}
    label = paths[cheapest]["label"] if cheapest in paths else _label(str(cheapest))
    base = paths[cheapest]["total"] if cheapest in paths else None
    rows = []
    for r in sens.get("rows") or []:
        low, high = float(r["totals_low"][cheapest]), float(r["totals_high"][cheapest])
        name = str(r["input"]).split(".")[-1].replace("_", " ")
        flips = bool(r.get("decision_changes"))
        rows.append(
            {
                "name": f"{name} ({r['low']:,.4g} to {r['high']:,.4g}){' [flips]' if flips else ''}",
                "low": low,
                "high": high,
                "base": base if base is not None else (low + high) / 2,
                "flips": flips,
            }
        )
    rows.sort(key=lambda r: abs(r["high"] - r["low"]), reverse=True)
    return f"{label}: total over the horizon", rows


def tornado_figure(sens: dict | None, tco: dict | None = None) -> go.Figure:
    """Which inputs move the decision most: each bar spans the outcome at the input's low and high."""
    title = "What moves the decision"
    metric, rows = normalize_sensitivity(sens, tco) if sens else ("", [])
    rows = [r for r in rows if abs(r["high"] - r["low"]) > 0]
    if not rows:
        return _empty(title, "No sensitivity ranking yet.")
    rows = rows[:10][::-1]
    base = rows[-1]["base"]
    fig = go.Figure()
    for end, colour in (("low", "#4C78A8"), ("high", "#E45756")):
        fig.add_trace(
            go.Bar(
                y=[r["name"] for r in rows],
                x=[r[end] - r["base"] for r in rows],
                base=[r["base"] for r in rows],
                orientation="h",
                name=f"input at its {end}",
                marker_color=colour,
                customdata=[r[end] for r in rows],
                hovertemplate="%{y}<br>" + end + ": $%{customdata:,.0f}<extra></extra>",
            )
        )
    fig.add_vline(x=base, line_dash="dot", line_color="#555")
    fig.update_layout(**LAYOUT, barmode="overlay")
    fig.update_layout(height=max(300, 60 + 32 * len(rows)), margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_xaxes(title=metric, tickprefix="$", tickformat="~s")
    fig.update_yaxes(automargin=True, tickfont={"size": 10})
    return fig


def normalize_band(mc: dict) -> list[dict]:
    """Per path ``{id, label, p10, p50, p90, p_cheapest}``."""
    raw = _first(mc, "paths", "per_path", default=[])
    if isinstance(raw, dict):
        raw = [{"id": k, **v} for k, v in raw.items()]
    out = []
    for p in raw:
        pid = str(_first(p, "id", "path", default="?"))
        p10, p50, p90 = (_first(p, f"p{q}", f"p{q}_total", f"total_p{q}") for q in (10, 50, 90))
        if p10 is None or p90 is None:
            continue
        out.append(
            {
                "id": pid,
                "label": _label(pid),
                "p10": float(p10),
                "p50": float(p50 if p50 is not None else (p10 + p90) / 2),
                "p90": float(p90),
                "p_cheapest": _first(p, "probability_cheapest", "p_cheapest"),
            }
        )
    return out


def band_figure(mc: dict | None) -> go.Figure:
    """The P10-P90 range of each path's total, with the P50 marked."""
    title = "Uncertainty: P10-P50-P90 total per path"
    rows = normalize_band(mc) if mc else []
    if not rows:
        return _empty(title, "Give an input as low/base/high (e.g. 'volume between 200M and 500M') to see the band.")
    fig = go.Figure()
    for r in rows:
        fig.add_trace(
            go.Scatter(
                x=[r["p50"]],
                y=[r["label"]],
                mode="markers",
                marker={"size": 11, "color": PATH_COLOURS.get(r["id"], "#333")},
                error_x={"type": "data", "symmetric": False, "array": [r["p90"] - r["p50"]], "arrayminus": [r["p50"] - r["p10"]], "thickness": 6, "width": 0},
                name=r["label"],
                hovertemplate=(
                    f"{r['label']}<br>P10 ${r['p10']:,.0f}<br>P50 ${r['p50']:,.0f}<br>P90 ${r['p90']:,.0f}<extra></extra>"
                ),
            )
        )
    fig.update_layout(**LAYOUT, showlegend=False)
    fig.update_xaxes(title="USD over the horizon", tickprefix="$", tickformat="~s")
    return fig
