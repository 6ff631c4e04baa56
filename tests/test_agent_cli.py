"""`advisor ask`: one-shot questions, --json for scripts, --session to continue a conversation."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ui.cli import app

runner = CliRunner()


def test_ask_json_then_continue_the_session():
    first = runner.invoke(app, ["ask", "show me the assumptions", "--json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["answer"].startswith("**The assumptions behind the figures**")
    assert [t["name"] for t in data["tool_calls"]] == ["compute_tco"]
    assert data["results"]["tco"]["horizon_months"] == 36

    again = runner.invoke(app, ["ask", "what's the capital of France?", "--session", data["session_id"], "--json"])
    assert again.exit_code == 0, again.output
    follow = json.loads(again.output)
    assert follow["session_id"] == data["session_id"]
    assert follow["answer"].startswith("That is outside what I cover")
    assert follow["scenario"] == data["scenario"]


def test_ask_prints_markdown_and_the_session():
    result = runner.invoke(app, ["ask", "hi"])
    assert result.exit_code == 0, result.output
    assert "fine-tune" in result.output and "session: " in result.output


def test_ask_empty_question_is_answered_not_raised():
    result = runner.invoke(app, ["ask", ""])
    assert result.exit_code == 0 and "Ask me" in result.output
