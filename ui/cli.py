"""The ``advisor`` command line. Each command imports its subsystem inside its body, so that
``advisor tco`` never pays for torch, chromadb or gradio."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="advisor",
    help="Fine-Tune Advisor: should we fine-tune a custom LLM or stay on a base-model API?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Commands: `tco` (cost engine), `index` (knowledge base), `ask` (agent), `serve` (app).
# Each lives in its own function below; add yours without rewriting the others.


# --- tco: the cost engine (owner: cost) ---------------------------------------------------------
@app.command("tco")
def tco(
    scenario: str = typer.Argument(None, help="Scenario YAML file (see examples/)."),
    json_output: bool = typer.Option(False, "--json", help="Print the full result as JSON."),
    schema: bool = typer.Option(False, "--schema", help="Print the scenario JSON schema and exit."),
    samples: int = typer.Option(0, "--samples", help="Monte Carlo samples (0 = off; 10000 is typical)."),
    seed: int = typer.Option(0, "--seed", help="Monte Carlo seed."),
    tornado: bool = typer.Option(False, "--tornado", help="Add the sensitivity (tornado) ranking."),
    set_: list[str] | None = typer.Option(  # noqa: B008 (typer's declaration style)
        None, "--set", help="What-if override, e.g. --set usage.monthly_growth=0.05"
    ),
) -> None:
    """Five-path total cost of ownership of a scenario: API, RAG, vendor fine-tune, LoRA, full fine-tune."""
    import json
    import sys

    from tools.common import AdvisorError

    try:
        from tools.scenario import Scenario, scenario_json_schema

        if schema:
            typer.echo(json.dumps(scenario_json_schema(), indent=2))
            return
        if not scenario:
            raise AdvisorError("SCENARIO", "give a scenario YAML file (or --schema)")
        from tools.tco import compute_tco
        from ui.tco_view import full_result, parse_sets, render

        parsed = Scenario.from_yaml(scenario)
        if set_:
            parsed = parsed.apply(parse_sets(set_))
        result = compute_tco(parsed)
        monte_carlo = sensitivity = None
        if samples:
            from tools.uncertainty import run_monte_carlo

            monte_carlo = run_monte_carlo(parsed, samples=samples, seed=seed)
        if tornado:
            from tools.uncertainty import sensitivity as tornado_ranking

            sensitivity = tornado_ranking(parsed)
    except AdvisorError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 (a bug, not bad input: still one line, no traceback)
        typer.echo(f"error: internal error ({type(exc).__name__}: {exc}); please report it", err=True)
        sys.exit(1)
    if json_output:
        typer.echo(full_result(parsed, result, monte_carlo, sensitivity))
    else:
        from ui.tco_view import make_console

        render(make_console(), result, monte_carlo, sensitivity)


# --- index: the knowledge base (owner: knowledge) -----------------------------------------------
@app.command("index")
def index(
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and embed everything again."),
) -> None:
    """Index the corpus and your documents (ADVISOR_DOCUMENTS_DIR); only changed files are re-embedded."""
    from rich.console import Console

    from knowledge import KnowledgeBase

    console = Console(stderr=True)
    report = _index_with_progress(KnowledgeBase(), console, rebuild=rebuild)
    typer.echo(report.summary())


def _index_with_progress(kb, console, *, rebuild: bool = False):
    """Bring the index up to date with a progress bar (instant when nothing changed); a store or
    embedder that cannot be used is one clear line and exit code 2, never a traceback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console, transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, source: str) -> None:
            bar.update(task, completed=done, total=total, description=source)

        try:
            report = kb.ensure_index(progress=progress, rebuild=rebuild)
        except Exception as exc:  # noqa: BLE001 (store or embedder misconfigured: say which, no traceback)
            console.print(f"error: {exc}", style="red")
            raise typer.Exit(2) from None
    for message in report.messages:
        console.print(f"note: {message}", style="yellow")
    for skipped in report.skipped:
        console.print(f"skipped {skipped.source}: {skipped.reason}", style="yellow")
    return report


# --- ask: the agent (owner: agent) --------------------------------------------------------------
@app.command("ask")
def ask(
    question: str = typer.Argument(..., help="Your question, in plain words."),
    session: str = typer.Option(None, "--session", help="Continue this session (printed after each answer)."),
    json_output: bool = typer.Option(False, "--json", help="Print the whole response as JSON."),
) -> None:
    """Ask the advisor one question; --session continues an earlier conversation."""
    import sys

    from rich.console import Console

    from agent.advisor import Advisor
    from knowledge import KnowledgeBase

    # The first question of a fresh install builds the index: show it, rather than a silent minute.
    kb = KnowledgeBase()
    _index_with_progress(kb, Console(stderr=True))
    try:
        response = Advisor(knowledge=kb).chat(question, session_id=session)
    except Exception as error:  # noqa: BLE001 - the advisor answers bad input itself; this is a broken install
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if json_output:
        sys.stdout.write(response.model_dump_json(indent=2) + "\n")
        return
    from rich.markdown import Markdown

    from agent.grounding import SOURCES_PREFIX

    console = Console()
    answer = response.answer
    if response.citations:  # the list below names each file too: the answer's own line would repeat it
        answer = "\n".join(
            line for line in answer.splitlines() if not line.startswith(SOURCES_PREFIX)
        ).rstrip()
    console.print(Markdown(answer))
    if response.citations:
        console.print("Sources:", style="dim")
    for citation in response.citations:
        console.print(f"[{citation.n}] {citation.title}, {citation.section} ({citation.source})", style="dim")
    for notice in response.notices:
        console.print(f"note: {notice}", style="yellow")
    console.print(f"session: {response.session_id}", style="dim")


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to listen on; default ADVISOR_HOST (127.0.0.1)."),
    port: int = typer.Option(None, min=1, max=65535, help="Port; default ADVISOR_PORT (7860)."),
) -> None:
    """Start the web app and the HTTP API (Gradio UI at /, API docs at /docs)."""
    from tools.settings import get_settings
    from ui.server import serve as run_server

    run_server(get_settings(), host=host, port=port)


if __name__ == "__main__":  # pragma: no cover
    app()
