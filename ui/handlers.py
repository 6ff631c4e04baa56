"""What the Gradio app does, as plain functions over the advisor: no Gradio import here, so each
is unit-tested without a browser. ``ui/app.py`` only wires them to components."""

from __future__ import annotations

import html
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.settings import Settings

ALLOWED_UPLOAD_TYPES = (".md", ".txt", ".pdf", ".html", ".htm")

EXAMPLE_PROMPTS = [
    "We spend $40k a month on GPT-4o for support triage. Should we fine-tune Llama 3 8B instead?",
    "We handle 300M input and 100M output tokens a month. Is a LoRA fine-tune worth it over 3 years?",
    "We're a hospital and patient data can't leave our premises. What are our options and costs?",
    "What if our volume doubles every year?",
    "What hidden costs of fine-tuning do teams usually miss?",
]

# What a person typed is shown as typed: HTML escaped, and every character Markdown (or its
# autolinker) could act on replaced by a numeric character reference, which renders as itself.
_MARKDOWN_SPECIALS = re.compile(r"[\\`*_{}\[\]()#+\-.!|>~<$:=]")


def inert_user_text(text: str) -> str:
    """A user's message made safe to show in the chat: no HTML, no links, no Markdown formatting."""
    out = []
    for ch in text:
        if ch in "&<>\"'":
            out.append(html.escape(ch, quote=True))
        elif _MARKDOWN_SPECIALS.fullmatch(ch):
            out.append(f"&#{ord(ch)};")
        else:
            out.append(ch)
    return "".join(out)


def chat_message(role: str, content: str, title: str | None = None, status: str | None = None) -> dict:
    message: dict[str, Any] = {"role": role, "content": content}
    if title:
        message["metadata"] = {"title": title, **({"status": status} if status else {})}
    return message


def tool_step_message(name: str, arguments: dict | None, summary: str | None) -> dict:
    """A tool call shown as a collapsible step: the summary is the title, the arguments inside."""
    title = summary or f"Called {name}"
    args = ", ".join(f"{k}={v!r}" for k, v in (arguments or {}).items())
    body = f"`{name}`" + (f"({html.escape(args, quote=False)})" if args else "")
    return chat_message("assistant", body, title=title, status="done")


def citations_markdown(citations: list[Any]) -> str:
    """Citations listed under an answer, each with its snippet."""
    if not citations:
        return ""
    lines = []
    for c in citations:
        c = c.model_dump() if hasattr(c, "model_dump") else c
        snippet = " ".join(str(c.get("snippet", "")).split()).lstrip("# ")
        if len(snippet) > 280:
            snippet = snippet[:277] + "..."
        # passages may come from uploaded documents: shown as text, never as Markdown or HTML
        where = inert_user_text(f"{c.get('title', '')}" + (f", {c['section']}" if c.get("section") else ""))
        source = inert_user_text(str(c.get("source", "")))
        lines.append(f"**[{c.get('n', '?')}] {where}**  \n<small>{source}</small>  \n> {inert_user_text(snippet)}")
    return "\n\n".join(lines)


# ------------------------------------------------------------------------------------------------
# one chat turn, streamed
# ------------------------------------------------------------------------------------------------
@dataclass
class TurnOutcome:
    history: list[dict]
    session_id: str | None
    response: Any | None = None
    steps: list[dict] = field(default_factory=list)


def stream_turn(advisor: Any, message: str, session_id: str | None, history: list[dict]) -> Iterator[TurnOutcome]:
    """Run one turn through ``advisor.stream`` and yield the chat history as it grows: the user's
    message (made inert), each tool step as a collapsible message, then the answer in pieces and
    the citations under it."""
    history = list(history or [])
    history.append(chat_message("user", inert_user_text(message)))
    pending = chat_message("assistant", "", title="Working on it...", status="pending")
    history.append(pending)
    yield TurnOutcome(history, session_id)

    steps: list[dict] = []
    open_steps: dict[str, list[dict]] = {}
    response = None
    history.pop()
    for event in advisor.stream(message, session_id=session_id):
        if event.kind == "tool_call":
            # shown at once with a spinner; its result turns the title into the one-line summary
            step = tool_step_message(event.name or "tool", event.arguments, None)
            step["metadata"] = {"title": f"Running {event.name}...", "status": "pending"}
            open_steps.setdefault(event.name or "tool", []).append(step)
            steps.append(step)
            history.append(step)
            yield TurnOutcome(history, session_id, steps=steps)
        elif event.kind == "tool_result":
            waiting = open_steps.get(event.name or "tool") or []
            if waiting:
                step = waiting.pop(0)
            else:
                step = tool_step_message(event.name or "tool", None, None)
                steps.append(step)
                history.append(step)
            step["metadata"] = {"title": event.summary or f"Ran {event.name}", "status": "done"}
            yield TurnOutcome(history, session_id, steps=steps)
        elif event.kind == "notice" and event.summary:
            history.append(chat_message("assistant", html.escape(event.summary, quote=False), title="Notice"))
            yield TurnOutcome(history, session_id, steps=steps)
        elif event.kind == "answer":
            response = event.response
    for waiting in open_steps.values():
        for step in waiting:
            step["metadata"] = {"title": step["metadata"]["title"].replace("Running", "Ran"), "status": "done"}
    if response is None:
        history.append(chat_message("assistant", "Sorry, the advisor gave no answer to that. Please try again."))
        yield TurnOutcome(history, session_id, steps=steps)
        return

    session_id = response.session_id
    if not steps:
        for call in response.tool_calls:
            step = tool_step_message(call.name, call.arguments, call.summary)
            steps.append(step)
            history.append(step)
    answer = chat_message("assistant", "")
    history.append(answer)
    for piece in _pieces(response.answer):
        answer["content"] += piece
        yield TurnOutcome(history, session_id, steps=steps)
    sources = citations_markdown(response.citations)
    if sources:
        history.append(chat_message("assistant", sources, title=f"Sources ({len(response.citations)})"))
    streamed = {m["content"] for m in history if m.get("metadata", {}).get("title") == "Notice"}
    for notice in response.notices:
        if html.escape(notice, quote=False) in streamed:
            continue
        history.append(chat_message("assistant", html.escape(notice, quote=False), title="Notice"))
    yield TurnOutcome(history, session_id, response=response, steps=steps)


def _pieces(text: str, size: int = 160) -> Iterator[str]:
    lines = text.splitlines(keepends=True) or [""]
    chunk = ""
    for line in lines:
        chunk += line
        if len(chunk) >= size:
            yield chunk
            chunk = ""
    if chunk:
        yield chunk


def history_messages(view: Any) -> list[dict]:
    """A stored conversation as chat messages (user turns inert, citations under the last answer)."""
    messages = []
    for turn in view.history:
        content = inert_user_text(turn.content) if turn.role == "user" else turn.content
        messages.append(chat_message(turn.role, content))
    sources = citations_markdown(getattr(view, "citations", []) or [])
    if sources and messages:
        messages.append(chat_message("assistant", sources, title=f"Sources ({len(view.citations)})"))
    return messages


# ------------------------------------------------------------------------------------------------
# conversations, per user
# ------------------------------------------------------------------------------------------------
def conversation_choices(advisor: Any, store: Any, user: str | None) -> list[tuple[str, str]]:
    """(label, session_id) of earlier conversations, newest first; only the user's own when auth is on."""
    summaries = [s for s in advisor.list_sessions() if store.may_list(s.session_id, user)]
    summaries.sort(key=lambda s: s.updated_at.timestamp() if s.updated_at else 0, reverse=True)
    choices = []
    for s in summaries:
        when = s.updated_at.strftime("%d %b %H:%M") if s.updated_at else ""
        label = f"{s.title or '(untitled)'} · {s.turns} turn{'s' if s.turns != 1 else ''}" + (f" · {when}" if when else "")
        choices.append((label, s.session_id))
    return choices


def new_session_id() -> str:
    return uuid.uuid4().hex


# ------------------------------------------------------------------------------------------------
# uploads
# ------------------------------------------------------------------------------------------------
class UploadError(ValueError):
    """A file the knowledge base will not take, with a message a person can act on."""


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_upload_name(name: str) -> str:
    """The file's own name, stripped of any directory part and of characters outside a safe set,
    so an upload can never land outside the documents folder."""
    base = Path(name.replace("\\", "/")).name
    base = _SAFE_NAME.sub("_", base).strip(" .")
    if not base or base in (".", ".."):
        raise UploadError("the file has no usable name")
    return base[:120]


def save_upload(settings: Settings, source: str | Path, original_name: str | None = None) -> Path:
    """Copy an uploaded file into the documents folder after checking its type and size."""
    source = Path(source)
    name = safe_upload_name(original_name or source.name)
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_UPLOAD_TYPES:
        raise UploadError(
            f"{name}: type {suffix or '(none)'} is not accepted; use one of {', '.join(ALLOWED_UPLOAD_TYPES)}"
        )
    size = source.stat().st_size
    if size > settings.max_upload_bytes:
        raise UploadError(f"{name}: {size:,} bytes is over the limit of {settings.max_upload_bytes:,} bytes")
    if size == 0:
        raise UploadError(f"{name}: the file is empty")
    head = source.read_bytes()[:2048]
    if suffix == ".pdf" and not head.startswith(b"%PDF"):
        raise UploadError(f"{name}: this is not a PDF file")
    if suffix != ".pdf" and b"\x00" in head:
        raise UploadError(f"{name}: this looks like a binary file, not {suffix} text")
    target_dir = settings.resolved_documents_dir
    target_dir.mkdir(parents=True, exist_ok=True)
    target = (target_dir / name).resolve()
    if target.parent != target_dir.resolve():
        raise UploadError(f"{name}: invalid file name")
    target.write_bytes(source.read_bytes())
    return target


# ------------------------------------------------------------------------------------------------
# the scenario panel
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PanelField:
    path: str
    label: str
    kind: str  # "number" | "int" | "choice" | "bool"
    group: str
    info: str = ""

    @property
    def elem_id(self) -> str:
        return "field-" + self.path.replace(".", "-").replace("_", "-")


PANEL_FIELDS: tuple[PanelField, ...] = (
    PanelField("usage.monthly_input_tokens", "Input tokens per month", "number", "Usage"),
    PanelField("usage.monthly_output_tokens", "Output tokens per month", "number", "Usage"),
    PanelField("usage.monthly_api_spend_usd", "Or: today's monthly API bill, USD", "number", "Usage",
               "set this instead of tokens when you know the bill"),
    PanelField("usage.monthly_growth", "Monthly growth", "number", "Usage", "0.05 = 5% a month"),
    PanelField("horizon_months", "Horizon (months)", "int", "Usage"),
    PanelField("api.model", "API model", "choice", "API"),
    PanelField("api.input_price_per_mtok", "Input price, USD per 1M tokens", "number", "API"),
    PanelField("api.output_price_per_mtok", "Output price, USD per 1M tokens", "number", "API"),
    PanelField("self_hosted.model", "Open model", "choice", "Self-hosted"),
    PanelField("self_hosted.lora_method", "Adapter method", "choice", "Self-hosted", "for the LoRA path"),
    PanelField("self_hosted.training_gpu", "Training GPU", "choice", "Self-hosted"),
    PanelField("self_hosted.training_gpu_price_per_hour", "Training GPU, USD per hour", "number", "Self-hosted"),
    PanelField("self_hosted.serving_gpu", "Serving GPU", "choice", "Self-hosted"),
    PanelField("self_hosted.serving_gpu_price_per_hour", "Serving GPU, USD per hour", "number", "Self-hosted"),
    PanelField("data.expert_hourly_rate", "Domain expert, USD per hour", "number", "Labour"),
    PanelField("operations.ml_engineer_hourly_rate", "ML engineer, USD per hour", "number", "Labour"),
    PanelField("constraints.on_prem_required", "Data must stay on-premises", "bool", "Constraints"),
)


def panel_groups() -> list[tuple[str, list[PanelField]]]:
    groups: dict[str, list[PanelField]] = {}
    for f in PANEL_FIELDS:
        groups.setdefault(f.group, []).append(f)
    return list(groups.items())


def field_choices(f: PanelField) -> list[tuple[str, str]]:
    """The allowed names of a choice field, from the same catalogues the cost engine validates by."""
    if f.path == "api.model":
        from tools.prices import list_api_models

        return [(m.id, m.id) for m in sorted(list_api_models(), key=lambda m: m.id)]
    if f.path == "self_hosted.model":
        from tools.compute import list_open_models

        return [(m.name, m.id) for m in list_open_models()]
    if f.path in ("self_hosted.training_gpu", "self_hosted.serving_gpu"):
        from tools.compute import list_gpus

        return [(g.name, g.id) for g in list_gpus()]
    if f.path == "self_hosted.lora_method":
        return [("LoRA", "lora"), ("QLoRA", "qlora")]
    return []


def canonical_choice(f: PanelField, name: str) -> str:
    """The catalogue id of a name as the scenario spells it (defaults such as "h100" are aliases)."""
    try:
        if f.path in ("self_hosted.training_gpu", "self_hosted.serving_gpu"):
            from tools.compute import get_gpu

            return get_gpu(name).id
        if f.path == "self_hosted.model":
            from tools.compute import get_open_model

            return get_open_model(name).id
        if f.path == "api.model":
            from tools.prices import get_api_model

            return get_api_model(name).id
    except ValueError:
        return name
    return name


def _get_path(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _plain(value: Any) -> Any:
    """A panel value: ranges show their base value."""
    if isinstance(value, dict) and "base" in value:
        return value["base"]
    return value


def panel_values(scenario: dict, in_force: dict[str, Any], tco: dict | None = None) -> list[Any]:
    """The value of every panel field: the one stated in the scenario, else the one in force
    (the cost engine's default, read from the result's assumptions)."""
    from tools.scenario import Scenario

    full = Scenario.parse(scenario).model_dump(mode="json")
    values = []
    for f in PANEL_FIELDS:
        value = _plain(_get_path(scenario, f.path))
        if value is None:
            value = in_force.get(f.path)
        if value is None and f.path in ("usage.monthly_input_tokens", "usage.monthly_output_tokens") and tco:
            # volumes stated another way (a bill, requests) show as the month-1 tokens they imply
            months = tco.get(f.path.split(".")[1])
            value = round(months[0]) if months else None
        if value is None:
            value = _plain(_get_path(full, f.path))
        if f.kind == "choice" and isinstance(value, str):
            value = canonical_choice(f, value)
        values.append(value)
    return values


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))
    return a == b


def current_values(view: Any) -> list[Any]:
    """The panel values of a stored session, exactly as ``panel_view`` shows them (defaults in
    force included), so that only what a person changed counts as an edit."""
    tco = (view.results or {}).get("tco")
    if tco is None:
        from tools.scenario import Scenario
        from tools.tco import compute_tco

        try:
            tco = compute_tco(Scenario.parse(view.scenario)).model_dump(mode="json")
        except ValueError:
            tco = None
    return panel_values(view.scenario, in_force_values({"tco": tco}), tco)


@dataclass
class EditOutcome:
    session_id: str | None
    messages: list[dict]
    error: str | None = None
    response: Any = None


def panel_updates(current: list[Any], edited: list[Any]) -> dict[str, Any]:
    """The scenario updates (dotted path → value) for the fields a person changed."""
    updates: dict[str, Any] = {}
    for f, old, new in zip(PANEL_FIELDS, current, edited, strict=True):
        if new is None or new == "" or _same(old, new):
            continue
        if f.kind == "int":
            new = round(float(new))
        elif f.kind == "number":
            new = float(new)
        updates[f.path] = new
    # the token volume is one form: send the pair together so neither half is dropped
    pair = ("usage.monthly_input_tokens", "usage.monthly_output_tokens")
    if "usage.monthly_api_spend_usd" in updates:
        # a new bill is the volume now; the token fields only showed what the old one implied
        for p in pair:
            updates.pop(p, None)
    elif any(p in updates for p in pair):
        for p, value in zip(pair, (current[0], current[1]), strict=True):
            updates.setdefault(p, float(value) if value is not None else None)
        if any(updates[p] is None for p in pair):
            updates = {k: v for k, v in updates.items() if k not in pair or v is not None}
    return updates


def apply_panel(advisor: Any, session_id: str | None, edited: list[Any]) -> EditOutcome:
    """Apply a person's edits in the panel to the session scenario through the advisor."""
    session_id = session_id or new_session_id()
    view = advisor.session(session_id)
    updates = panel_updates(current_values(view), edited)
    if not updates:
        return EditOutcome(session_id, [])
    response = advisor.update_scenario(session_id, updates)
    changed = ", ".join(f"{_label(k)} = {_shown(v)}" for k, v in updates.items())
    messages = [chat_message("assistant", inert_user_text(changed), title="Scenario edited in the panel", status="done")]
    if response.answer:
        messages.append(chat_message("assistant", response.answer))
    error = "; ".join(response.notices) if response.notices else None
    return EditOutcome(session_id, messages, error, response)


def _label(path: str) -> str:
    for f in PANEL_FIELDS:
        if f.path == path:
            return f.label
    return path


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def in_force_values(results: dict | None) -> dict[str, Any]:
    """Assumption values of the latest TCO result, by dotted scenario path."""
    tco = (results or {}).get("tco") or {}
    out: dict[str, Any] = {}
    for a in tco.get("assumptions") or []:
        name = a.get("name")
        if isinstance(name, str) and name not in out:
            out[name] = a.get("value")
    return out


def export_dir(settings: Settings) -> Path:
    return settings.data_dir / "exports"


EMPTY_FIGURES = "**No figures yet.** Ask a question, or edit the scenario."


@dataclass
class PanelView:
    """Everything the panel shows for one session, computed from the advisor's stored state."""

    session_id: str | None
    scenario: dict
    tco: dict | None
    sensitivity: dict | None
    monte_carlo: dict | None
    values: list[Any]
    figures_markdown: str
    assumption_rows: list[list[str]]
    note: str
    cumulative: Any
    breakdown: Any
    tornado: Any
    band: Any
    report_path: str | None
    csv_path: str | None


def session_results(scenario: dict, results: dict | None) -> tuple[dict | None, dict | None, dict | None]:
    """The TCO, sensitivity and Monte Carlo results of a scenario: those the advisor stored for it,
    else computed here from the same scenario by the same pure calculators (so they cannot differ)."""
    from tools.scenario import Scenario

    results = results or {}
    tco = results.get("tco")
    sensitivity = results.get("sensitivity")
    monte_carlo = results.get("monte_carlo")
    parsed = None
    if tco is None or sensitivity is None:
        parsed = Scenario.parse(scenario)
    if tco is None:
        from tools.tco import compute_tco

        tco = compute_tco(parsed).model_dump(mode="json")
    if sensitivity is None:
        from tools.uncertainty import sensitivity as run_sensitivity

        sensitivity = run_sensitivity(parsed).model_dump(mode="json")
    if monte_carlo is None:
        # GPU prices default to low/typical/high ranges, so the band is informative even when the
        # person gave no range of their own
        from tools.uncertainty import run_monte_carlo

        monte_carlo = run_monte_carlo(parsed or Scenario.parse(scenario), samples=2_000, seed=0).model_dump(mode="json")
    return tco, sensitivity, monte_carlo


def panel_view(advisor: Any, session_id: str | None, export_dir: Path | None = None) -> PanelView:
    """The scenario panel, figures, charts, assumptions and export files of a session (or of the
    advisor's defaults before the first question)."""
    from ui import charts, report

    view = advisor.session(session_id or "__defaults__")
    scenario = view.scenario
    note = ""
    try:
        tco, sensitivity, monte_carlo = session_results(scenario, view.results)
    except ValueError as exc:
        tco = sensitivity = monte_carlo = None
        note = f"The scenario does not compute: {exc}"
    values = panel_values(scenario, in_force_values({"tco": tco}), tco)
    if session_id is None:
        note = note or "Showing the advisor's defaults; ask a question or edit a value to start."
    report_path = csv_path = None
    if export_dir is not None and session_id is not None and tco is not None and view.history:
        folder = Path(export_dir) / re.sub(r"[^A-Za-z0-9_.-]", "_", session_id)
        folder.mkdir(parents=True, exist_ok=True)
        report_file = folder / "advisor-report.md"
        report_file.write_text(report.report_markdown(view, tco), encoding="utf-8")
        csv_file = folder / "monthly-cash-flows.csv"
        csv_file.write_text(report.cashflow_csv(tco), encoding="utf-8")
        report_path, csv_path = str(report_file), str(csv_file)
    return PanelView(
        session_id=session_id,
        scenario=scenario,
        tco=tco,
        sensitivity=sensitivity,
        monte_carlo=monte_carlo,
        values=values,
        figures_markdown=report.figures_markdown(tco),
        assumption_rows=report.assumption_rows(tco),
        note=note,
        cumulative=charts.cumulative_figure(tco),
        breakdown=charts.breakdown_figure(tco),
        tornado=charts.tornado_figure(sensitivity, tco),
        band=charts.band_figure(monte_carlo),
        report_path=report_path,
        csv_path=csv_path,
    )


# ------------------------------------------------------------------------------------------------
# share links
# ------------------------------------------------------------------------------------------------
def create_share(advisor: Any, store: Any, session_id: str, user: str | None) -> str:
    """Freeze a copy of the session's scenario and figures; the token of its read-only page."""
    view = advisor.session(session_id)
    tco, sensitivity, monte_carlo = session_results(view.scenario, view.results)
    title = next((t.content for t in view.history if t.role == "user"), "Shared scenario")
    snapshot = {
        "title": " ".join(title.split())[:80],
        "created": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "scenario": view.scenario,
        "results": {"tco": tco, "sensitivity": sensitivity, "monte_carlo": monte_carlo},
    }
    return store.share(session_id, user, snapshot)


def share_url(request: Any, root_path: str, token: str) -> str:
    """An absolute link to the share page, as the browser reached this app."""
    headers = getattr(request, "headers", None) or {}
    host = headers.get("x-forwarded-host") or headers.get("host") or "localhost"
    scheme = headers.get("x-forwarded-proto") or "http"
    prefix = root_path.rstrip("/")
    return f"{scheme}://{host}{prefix}/share/{token}"


# ------------------------------------------------------------------------------------------------
# document upload
# ------------------------------------------------------------------------------------------------
def upload_documents(settings: Settings, advisor: Any, files: list[Any], progress=None) -> str:
    """Save uploaded files (checked one by one) and re-index; a Markdown status for the person."""
    saved, errors = [], []
    try:
        kb = advisor.knowledge()
    except Exception as exc:  # noqa: BLE001 - nothing to add documents to
        return f"The knowledge base is not available: {html.escape(str(exc), quote=False)}"
    # the documents folder the knowledge base indexes (the same settings in production)
    settings = getattr(kb, "settings", None) or settings
    for item in files:
        path = getattr(item, "name", None) or (item.get("path") if isinstance(item, dict) else item)
        original = getattr(item, "orig_name", None) or (item.get("orig_name") if isinstance(item, dict) else None)
        try:
            saved.append(save_upload(settings, path, original or Path(str(path)).name))
        except (UploadError, OSError) as exc:
            errors.append(str(exc))
    lines = [f"Added **{p.name}**." for p in saved]
    lines += [f"Not added: {html.escape(e, quote=False)}" for e in errors]
    if saved:
        def report_progress(done: int, total: int, what: str) -> None:
            if progress is not None and total:
                progress(done / total, desc=f"Indexing {what}")

        try:
            result = kb.ensure_index(progress=report_progress)
            lines.append(result.summary() if hasattr(result, "summary") else "Index updated.")
            for skipped in getattr(result, "skipped", []) or []:
                lines.append(f"Skipped {getattr(skipped, 'source', skipped)}: {getattr(skipped, 'reason', '')}")
        except Exception as exc:  # noqa: BLE001 - the file is saved; indexing is retried at start-up
            lines.append(f"Saved, but re-indexing failed: {exc}")
    return "\n\n".join(lines)
