"""Text views of a conversation's figures: the headline table, the assumptions table, the Markdown
report, the month-by-month CSV and the read-only share page."""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, datetime
from functools import cache
from typing import Any

from ui.charts import SHORT_LABELS, normalize_tco


def money(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"${x:,.0f}"


def figures_markdown(tco: dict | None) -> str:
    """The headline: the cheapest path and each path's total, NPV and break-even."""
    if not tco:
        return "**No figures yet.** Ask a question, or edit the scenario."
    data = normalize_tco(tco)
    cheapest = next((p for p in data["paths"] if p["id"] == data["cheapest"]), None)
    lines = []
    if cheapest is not None:
        lines.append(
            f"**Cheapest over {data['horizon']} months: {cheapest['label']}, {money(cheapest['total'])}**"
            + (f" (cost per 1M tokens served: ${cheapest['cost_per_mtok']:,.2f})" if cheapest.get("cost_per_mtok") else "")
        )
    lines.append("")
    lines.append("| Path | Total | NPV | Break-even vs API |")
    lines.append("|---|---:|---:|---|")
    for p in data["paths"]:
        be = p["break_even_month"]
        be_text = "baseline" if p["id"] == "api" else (f"month {int(be)}" if be else "none")
        short = SHORT_LABELS.get(p["id"], p["label"])
        label = short if p["available"] else f"{short} (ruled out)"
        lines.append(f"| {label} | {money(p['total'])} | {money(p['npv'])} | {be_text} |")
    return "\n".join(lines)


def assumption_rows(tco: dict | None) -> list[list[str]]:
    """[name, value, unit, source, as of] for every assumption the result used."""
    rows = []
    for a in (tco or {}).get("assumptions") or []:
        value = a.get("value")
        shown = f"{value:,.6g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
        rows.append([str(a.get("name", "")), shown, str(a.get("unit", "")), str(a.get("source", "")), str(a.get("as_of") or "")])
    return rows


def cashflow_csv(tco: dict | None) -> str:
    """Month-by-month cash flows: one row per month, a monthly and a cumulative column per path."""
    data = normalize_tco(tco or {})
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["month"]
    for p in data["paths"]:
        header += [f"{p['id']}_usd", f"{p['id']}_cumulative_usd"]
    writer.writerow(header)
    months = max((len(p["monthly"]) for p in data["paths"]), default=0)
    for m in range(months):
        row: list[Any] = [m + 1]
        for p in data["paths"]:
            row += [f"{p['monthly'][m]:.2f}", f"{p['cumulative'][m]:.2f}"] if m < len(p["monthly"]) else ["", ""]
        writer.writerow(row)
    return out.getvalue()


def _table(rows: list[list[str]], header: list[str]) -> str:
    def cell(x: str) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def report_markdown(view: Any, tco: dict | None, citations: list[Any] | None = None) -> str:
    """The conversation's recommendation, figures, assumptions and citations as one document."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = ["# Fine-Tune Advisor report", "", f"Session `{view.session_id}`, exported {now}.", ""]
    answers = [t.content for t in view.history if t.role == "assistant"]
    if answers:
        parts += ["## Recommendation", "", answers[-1], ""]
    parts += ["## Figures", "", figures_markdown(tco), ""]
    rows = assumption_rows(tco)
    if rows:
        parts += ["## Assumptions", "", _table(rows, ["Assumption", "Value", "Unit", "Source", "As of"]), ""]
    cites = citations if citations is not None else getattr(view, "citations", [])
    if cites:
        parts += ["## Sources", ""]
        for c in cites:
            c = c.model_dump() if hasattr(c, "model_dump") else c
            parts.append(f"{c.get('n')}. {c.get('title')}, {c.get('section')} ({c.get('source')})")
        parts.append("")
    if view.history:
        parts += ["## Conversation", ""]
        for t in view.history:
            who = "**You:**" if t.role == "user" else "**Advisor:**"
            text = t.content if t.role == "assistant" else "> " + t.content.replace("\n", "\n> ")
            parts += [who, "", text, ""]
    return "\n".join(parts)


@cache
def plotly_js_source() -> bytes:
    """plotly.js as shipped inside the plotly package, so pages need no CDN."""
    from importlib.resources import files

    return files("plotly").joinpath("package_data/plotly.min.js").read_bytes()


def share_page(snapshot: dict) -> str:
    """A self-contained read-only page of a shared scenario and its figures."""
    from ui.charts import band_figure, breakdown_figure, cumulative_figure, tornado_figure

    results = snapshot.get("results") or {}
    tco = results.get("tco")
    charts = [
        cumulative_figure(tco),
        breakdown_figure(tco),
        tornado_figure(results.get("sensitivity"), tco),
        band_figure(results.get("monte_carlo")),
    ]
    titles = ["Cumulative cost per path", "Cost breakdown per path", "What moves the decision",
              "Uncertainty: P10-P50-P90 total per path"]  # fmt: skip
    for fig, chart_title in zip(charts, titles, strict=True):
        fig.update_layout(title=chart_title, margin={"t": 50})
    chart_html = "\n".join(
        f'<div class="chart">{fig.to_html(include_plotlyjs=False, full_html=False, config={"displayModeBar": False})}</div>'
        for fig in charts
    )
    import json

    scenario = html.escape(json.dumps(snapshot.get("scenario") or {}, indent=2))
    figures = _md_table_to_html(figures_markdown(tco))
    rows = assumption_rows(tco)
    assumptions = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    title = html.escape(snapshot.get("title") or "Shared scenario")
    created = html.escape(str(snapshot.get("created", "")))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fine-Tune Advisor: {title}</title>
<script src="../static/plotly.min.js"></script>
<style>
body {{font-family: system-ui, sans-serif; margin: 1rem auto; max-width: 1100px; padding: 0 1rem; color: #222;}}
table {{border-collapse: collapse; width: 100%; font-size: 0.9rem;}}
td, th {{border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top;}}
.charts {{display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem;}}
pre {{background: #f6f6f6; padding: 0.6rem; overflow: auto; font-size: 0.85rem;}}
.ro {{color: #666; font-size: 0.9rem;}}
</style></head><body>
<h1>Fine-Tune Advisor: {title}</h1>
<p class="ro">Read-only copy shared on {created}. Figures computed by the advisor's cost engine.</p>
<h2>Figures</h2>{figures}
<div class="charts">{chart_html}</div>
<h2>Scenario</h2><pre>{scenario}</pre>
<h2>Assumptions</h2><table><tr><th>Assumption</th><th>Value</th><th>Unit</th><th>Source</th><th>As of</th></tr>{assumptions}</table>
</body></html>"""


def _md_table_to_html(markdown: str) -> str:
    """The headline Markdown (one bold line and a pipe table) as HTML."""
    out = []
    table: list[list[str]] = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(set(c) <= set("-:") for c in cells):
                table.append(cells)
        elif line.strip():
            out.append(f"<p>{html.escape(line.replace('**', ''))}</p>")
    if table:
        head, *body = table
        out.append(
            "<table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in body)
            + "</table>"
        )
    return "\n".join(out)
