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
