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


if __name__ == "__main__":  # pragma: no cover
    app()
