"""The Gradio handlers as plain functions, over the real offline Advisor (no browser)."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_ui_support import advisor, shared_knowledge  # noqa: F401 - fixtures

from agent.schemas import AdvisorEvent, AdvisorResponse
from tools.scenario import Scenario
from tools.settings import Settings, get_settings
from tools.tco import compute_tco
from ui import handlers as h
from ui.report import cashflow_csv, report_markdown
from ui.store import UiStore

QUESTION = "We use 300M input and 100M output tokens a month on GPT-4o. Should we fine-tune Llama 3 8B?"


def field_index(path: str) -> int:
    return [f.path for f in h.PANEL_FIELDS].index(path)


# ---- user text is inert ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", "**bold** _it_ `code`", "[click](http://evil.example)", "![x](http://img/x.png)",
     "# Heading\n> quote", "a & b < c", "$$x^2$$ and $5"],
)
def test_user_text_is_shown_as_typed_and_never_as_markup(text):
    shown = h.inert_user_text(text)
    bare = re.sub(r"&#\d+;|&[a-z]+;", "", shown)  # what is left outside character references
    for ch in "<>*_`[]()#!$":
        assert ch not in bare
    assert "http:" not in shown  # no autolink
    assert html.unescape(shown) == text  # renders back to exactly what was typed


# ---- uploads -------------------------------------------------------------------------------------
def test_upload_saves_allowed_files_inside_the_documents_folder(tmp_path):
    settings = get_settings()
    src = tmp_path / "notes.md"
    src.write_text("# Our data\nWe hold ten years of tickets.", encoding="utf-8")
    saved = h.save_upload(settings, src, "../../../etc/evil notes.md")
    assert saved.parent == settings.resolved_documents_dir.resolve()
    assert saved.name == "evil notes.md"
    assert saved.read_text(encoding="utf-8").startswith("# Our data")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ", "not accepted"),
        ("empty.txt", b"", "empty"),
        ("fake.pdf", b"hello", "not a PDF"),
        ("binary.txt", b"\x00\x01\x02", "binary"),
        ("...", b"x", "usable name"),
    ],
)
def test_upload_rejects_bad_files_with_a_clear_message(tmp_path, name, content, message):
    src = tmp_path / "upload"
    src.write_bytes(content)
    with pytest.raises(h.UploadError, match=message):
        h.save_upload(get_settings(), src, name)


def test_upload_over_the_size_limit(tmp_path):
    settings = Settings(max_upload_bytes=1_000)
    src = tmp_path / "big.txt"
    src.write_text("x" * 1_001)
    with pytest.raises(h.UploadError, match="over the limit of 1,000 bytes"):
        h.save_upload(settings, src)


def test_upload_documents_reindexes(advisor, shared_knowledge, tmp_path):  # noqa: F811
    src = tmp_path / "ours.md"
    src.write_text("# Zebra logistics glossary\nA zorblat is our internal name for a pallet.", encoding="utf-8")
    bad = tmp_path / "x.exe"
    bad.write_bytes(b"MZ")
    docs = shared_knowledge.settings.resolved_documents_dir
    try:
        status = h.upload_documents(get_settings(), advisor, [str(src), str(bad)])
        assert "Added **ours.md**" in status and "Not added: x.exe" in status
        assert (docs / "ours.md").exists()
        titles = [p.title for p in shared_knowledge.search("what is a zorblat", k=3).passages]
        assert "Zebra logistics glossary" in titles
    finally:
        (docs / "ours.md").unlink(missing_ok=True)
        shared_knowledge.ensure_index()


# ---- a streamed turn -------------------------------------------------------------------------------
def test_stream_turn_with_the_real_advisor(advisor):  # noqa: F811
    outcomes = list(h.stream_turn(advisor, QUESTION + " <b>now</b>", None, []))
    final = outcomes[-1]
    assert final.response is not None
    history = final.history
    assert history[0]["role"] == "user" and "<b>" not in history[0]["content"]
    steps = [m for m in history if m.get("metadata", {}).get("status") == "done"]
    assert len(steps) == len(final.response.tool_calls)
    # each tool step's title is the tool's own one-line summary of its result
    assert [m["metadata"]["title"] for m in steps] == [t.summary for t in final.response.tool_calls]
    answers = [m for m in history if m["role"] == "assistant" and "metadata" not in m]
    assert answers[-1]["content"] == final.response.answer
    if final.response.citations:
        sources = history[history.index(answers[-1]) + 1]
        assert sources["metadata"]["title"] == f"Sources ({len(final.response.citations)})"
        for c in final.response.citations:
            assert f"[{c.n}]" in sources["content"]
    # the answer grew piece by piece: more than one yield carried a partial answer
    assert len(outcomes) >= 3
    view = advisor.session(final.session_id)
    assert [t.content for t in view.history if t.role == "user"] == [QUESTION + " <b>now</b>"]


class ScriptedAdvisor:
    """Scripted events only, to pin down how steps are paired and titled (UI behaviour alone)."""

    def stream(self, message, session_id=None):
        yield AdvisorEvent(kind="tool_call", name="what_if", arguments={"changes": [1]})
        yield AdvisorEvent(kind="tool_call", name="search_knowledge", arguments={"query": "q"})
        yield AdvisorEvent(kind="tool_result", name="search_knowledge", summary="Found 3 passages")
        yield AdvisorEvent(kind="tool_result", name="what_if", summary="Computed 3-year TCO for 5 paths")
        yield AdvisorEvent(kind="notice", summary="LLM endpoint unreachable")
        yield AdvisorEvent(kind="answer", response=AdvisorResponse(
            session_id="s1", answer="line one\n" * 40, scenario={}, notices=["LLM endpoint unreachable"]))


def test_stream_turn_pairs_each_call_with_its_result():
    outcomes, first_step_states = [], []
    for outcome in h.stream_turn(ScriptedAdvisor(), "hi", None, []):
        outcomes.append(outcome)  # Gradio sends each yield as it comes: record the state then
        if len(outcome.history) > 1 and "metadata" in outcome.history[1]:
            first_step_states.append(outcome.history[1]["metadata"].get("status"))
    history = outcomes[-1].history
    titled = [m["metadata"]["title"] for m in history if "metadata" in m]
    assert titled == ["Computed 3-year TCO for 5 paths", "Found 3 passages", "Notice"]
    assert history[1]["content"].startswith("`what_if`")
    # a pending step shows a spinner until its result arrives
    assert first_step_states[0] == "pending" and first_step_states[-1] == "done"
    assert history[-1]["content"] == "line one\n" * 40


# ---- the scenario panel ---------------------------------------------------------------------------
def test_panel_shows_the_defaults_before_the_first_question(advisor):  # noqa: F811
    view = h.panel_view(advisor, None)
    values = dict(zip([f.path for f in h.PANEL_FIELDS], view.values, strict=True))
    assert values["usage.monthly_input_tokens"] == 300_000_000
    assert values["usage.monthly_output_tokens"] == 100_000_000
    assert values["horizon_months"] == 36
    assert values["api.model"] == "openai/gpt-4o"
    direct = compute_tco(Scenario.parse(advisor.session("x").scenario))
    assert f"${direct.paths[0].total:,.0f}" in view.figures_markdown


def test_panel_edit_updates_scenario_figures_and_chat(advisor, tmp_path):  # noqa: F811
    sid = advisor.chat(QUESTION).session_id
    before = h.panel_view(advisor, sid, export_dir=tmp_path)
    edited = list(before.values)
    edited[field_index("usage.monthly_growth")] = 0.05
    outcome = h.apply_panel(advisor, sid, edited)
    assert outcome.error is None
    assert outcome.messages[0]["metadata"]["title"] == "Scenario edited in the panel"
    after = h.panel_view(advisor, sid, export_dir=tmp_path)
    stored = advisor.session(sid).scenario
    assert stored["usage"]["monthly_growth"] == 0.05
    assert after.values[field_index("usage.monthly_growth")] == 0.05
    # the figures shown are the calculator's for the stored scenario, and they moved
    direct = compute_tco(Scenario.parse(stored))
    assert [p["total"] for p in after.tco["paths"]] == pytest.approx([p.total for p in direct.paths])
    assert after.figures_markdown != before.figures_markdown
    assert after.cumulative.to_json() != before.cumulative.to_json()
    # a what-if typed in chat moves the panel the same way
    advisor.chat("What if usage grows 10% a month?", session_id=sid)
    chat_view = h.panel_view(advisor, sid)
    assert chat_view.values[field_index("usage.monthly_growth")] == advisor.session(sid).scenario["usage"]["monthly_growth"]


def test_panel_edit_before_any_question_states_only_the_edited_field(advisor):  # noqa: F811
    values = list(h.panel_view(advisor, None).values)
    values[field_index("horizon_months")] = 24
    outcome = h.apply_panel(advisor, None, values)
    stored = advisor.session(outcome.session_id).scenario
    assert stored["horizon_months"] == 24
    # the defaults the panel showed stay defaults (not pinned as if stated), e.g. the API prices
    assert "input_price_per_mtok" not in stored.get("api", {})
    assert "self_hosted" not in stored and "operations" not in stored
    assert h.panel_view(advisor, outcome.session_id).tco["horizon_months"] == 24


def test_panel_edit_out_of_range_names_the_field(advisor):  # noqa: F811
    sid = advisor.chat(QUESTION).session_id
    values = list(h.panel_view(advisor, sid).values)
    values[field_index("usage.monthly_growth")] = 5.0
    outcome = h.apply_panel(advisor, sid, values)
    assert outcome.error and "usage.monthly_growth" in outcome.error
    assert advisor.session(sid).scenario.get("usage", {}).get("monthly_growth", 0.0) != 5.0


def test_panel_updates_send_only_what_changed():
    current = [None] * len(h.PANEL_FIELDS)
    current[0], current[1] = 3e8, 1e8
    edited = list(current)
    edited[0] = 6e8
    assert h.panel_updates(current, edited) == {"usage.monthly_input_tokens": 6e8, "usage.monthly_output_tokens": 1e8}
    edited = list(current)
    edited[field_index("usage.monthly_api_spend_usd")] = 40_000
    assert h.panel_updates(current, edited) == {"usage.monthly_api_spend_usd": 40_000.0}
    assert h.panel_updates(current, list(current)) == {}


# ---- export and share ---------------------------------------------------------------------------
def test_exports_match_the_calculator(advisor, tmp_path):  # noqa: F811
    sid = advisor.chat(QUESTION).session_id
    view = h.panel_view(advisor, sid, export_dir=tmp_path)
    assert view.report_path and view.csv_path
    rows = list(csv.DictReader(io.StringIO(Path(view.csv_path).read_text(encoding="utf-8"))))
    tco = view.tco
    assert len(rows) == tco["horizon_months"]
    for path in tco["paths"]:
        monthly = [float(r[f"{path['id']}_usd"]) for r in rows]
        # independent check: the months add up to the path's total, and the last cumulative is it
        assert sum(monthly) == pytest.approx(path["total"], abs=0.01 * len(rows))
        assert float(rows[-1][f"{path['id']}_cumulative_usd"]) == pytest.approx(path["total"], abs=0.01)
    report = Path(view.report_path).read_text(encoding="utf-8")
    assert report == report_markdown(advisor.session(sid), tco)
    for heading in ("## Recommendation", "## Figures", "## Assumptions", "## Conversation"):
        assert heading in report
    assert cashflow_csv(tco).splitlines()[0].startswith("month,api_usd,api_cumulative_usd")


def test_share_link_is_a_read_only_copy(advisor):  # noqa: F811
    from ui.server import create_app

    settings = get_settings()
    app = create_app(settings, advisor, ui="off", warm_knowledge=False)
    store: UiStore = app.state.store
    sid = advisor.chat(QUESTION).session_id
    token = h.create_share(advisor, store, sid, None)
    snapshot = store.shared(token)
    assert snapshot["scenario"] == advisor.session(sid).scenario
    with TestClient(app) as client:
        page = client.get(f"/share/{token}")
        assert page.status_code == 200
        assert "../static/plotly.min.js" in page.text and "Cumulative cost per path" in page.text
        assert client.get("/static/plotly.min.js").status_code == 200
        assert client.get("/share/not-a-token").status_code == 404
    # later edits do not change what was shared
    values = list(h.panel_view(advisor, sid).values)
    values[field_index("horizon_months")] = 12
    h.apply_panel(advisor, sid, values)
    assert store.shared(token)["scenario"] == snapshot["scenario"]


def test_conversations_listed_per_user(advisor):  # noqa: F811
    store = UiStore(Settings(auth="basic"))
    a = advisor.chat("We spend $10k a month on GPT-4o.").session_id
    b = advisor.chat("We spend $90k a month on GPT-4o.").session_id
    store.claim(a, "alice")
    store.claim(b, "bob")
    assert [sid for _, sid in h.conversation_choices(advisor, store, "alice")] == [a]
    open_store = UiStore(Settings())
    assert {sid for _, sid in h.conversation_choices(advisor, open_store, None)} >= {a, b}
    assert h.history_messages(advisor.session(a))[0]["role"] == "user"
