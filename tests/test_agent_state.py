"""Conversation state: the checkpointer keeps each session's messages and scenario, sessions never see
each other, a restarted advisor continues where it stopped, panel edits and streaming, light imports."""

from __future__ import annotations

import subprocess
import sys

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from agent.advisor import Advisor
from agent.schemas import AdvisorEvent
from tools.scenario import Scenario
from tools.settings import get_settings
from tools.tco import compute_tco


class NoKnowledge:
    def search(self, query: str, k: int = 3):
        from knowledge.models import RetrievalResult

        return RetrievalResult(query=query, passages=[], no_guidance=True)


def set_volume(tokens: float, answer: str = "Recorded.") -> GenericFakeChatModel:
    """A scripted brain: record a monthly volume, then answer."""
    change = {"field": "usage.monthly_total_tokens", "op": "set", "value": tokens}
    return GenericFakeChatModel(messages=iter([
        AIMessage("", tool_calls=[{"name": "what_if", "args": {"changes": [change]}, "id": "c1", "type": "tool_call"}]),
        AIMessage(answer),
    ]))  # fmt: skip


def scale_volume(factor: float) -> GenericFakeChatModel:
    change = {"field": "usage.volume", "op": "scale", "value": factor}
    return GenericFakeChatModel(messages=iter([
        AIMessage("", tool_calls=[{"name": "what_if", "args": {"changes": [change]}, "id": "c1", "type": "tool_call"}]),
        AIMessage("Scaled."),
    ]))  # fmt: skip


def api_total(scenario: dict) -> float:
    return compute_tco(Scenario.parse(scenario)).path("api").total


def test_import_agent_is_light():
    code = (
        "import sys, agent, agent.advisor, agent.graph, agent.tools, agent.offline\n"
        "heavy = [m for m in ('torch', 'gradio', 'chromadb', 'sentence_transformers', 'llama_index') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_no_state_is_written_until_the_first_turn(isolated_data_dir):
    advisor = Advisor(knowledge=NoKnowledge())
    assert not isolated_data_dir.exists()
    advisor.chat("hello", session_id="s")
    assert get_settings().resolved_threads_db.exists()


def test_sessions_do_not_see_each_other():
    kb = NoKnowledge()
    Advisor(chat_model=set_volume(1e9), knowledge=kb).chat("we do 1B tokens a month", session_id="alpha")
    Advisor(chat_model=set_volume(5e6), knowledge=kb).chat("we do 5M tokens a month", session_id="beta")
    advisor = Advisor(knowledge=kb)
    alpha, beta = advisor.session("alpha"), advisor.session("beta")
    assert alpha.scenario["usage"] == {"monthly_total_tokens": 1e9}
    assert beta.scenario["usage"] == {"monthly_total_tokens": 5e6}
    assert [t.content for t in alpha.history] == ["we do 1B tokens a month", "Recorded."]
    assert all("5M" not in t.content for t in alpha.history)
    # A what-if in one session leaves the other alone.
    Advisor(chat_model=scale_volume(2), knowledge=kb).chat("double it", session_id="beta")
    assert advisor.session("alpha").scenario["usage"] == {"monthly_total_tokens": 1e9}
    assert advisor.session("beta").scenario["usage"] == {"monthly_total_tokens": 1e7}
    assert advisor.session("unknown-session").history == []


def test_restart_continues_the_conversation(isolated_data_dir):
    kb = NoKnowledge()
    first = Advisor(chat_model=set_volume(3e8), knowledge=kb)
    first.chat("300M tokens a month", session_id="s1")
    del first  # a new process: a new advisor on the same data dir
    second = Advisor(chat_model=scale_volume(3), knowledge=kb)
    response = second.chat("what if it triples?", session_id="s1")
    assert response.scenario["usage"] == {"monthly_total_tokens": 9e8}
    # Expected: the engine on 900M tokens/month, the default GPT-4o prices.
    expected = api_total({"usage": {"monthly_total_tokens": 9e8}, "api": {"model": "openai/gpt-4o"}})
    assert response.results["tco"]["paths"][0]["total"] == pytest.approx(expected)
    history = Advisor(knowledge=kb).session("s1").history
    assert [t.role for t in history] == ["user", "assistant", "user", "assistant"]
    assert history[0].content == "300M tokens a month" and history[2].content == "what if it triples?"


def test_list_sessions_titles_and_turns():
    kb = NoKnowledge()
    Advisor(chat_model=set_volume(1e9), knowledge=kb).chat("first session question", session_id="a")
    Advisor(chat_model=set_volume(2e9), knowledge=kb).chat("second session question", session_id="b")
    Advisor(chat_model=scale_volume(2), knowledge=kb).chat("and doubled?", session_id="b")
    sessions = {s.session_id: s for s in Advisor(knowledge=kb).list_sessions()}
    assert set(sessions) == {"a", "b"}
    assert sessions["a"].title == "first session question" and sessions["a"].turns == 1
    assert sessions["b"].turns == 2
    assert Advisor(knowledge=kb).list_sessions()[0].session_id == "b"  # most recent first


def test_update_scenario_from_the_panel_recomputes_and_can_be_undone_by_the_next_edit():
    kb = NoKnowledge()
    advisor = Advisor(chat_model=set_volume(1e9), knowledge=kb)
    advisor.chat("1B tokens a month", session_id="p")
    response = advisor.update_scenario("p", {"usage.monthly_growth": 0.05, "horizon_months": 24})
    assert response.scenario["usage"] == {"monthly_total_tokens": 1e9, "monthly_growth": 0.05}
    assert response.scenario["horizon_months"] == 24
    expected = compute_tco(Scenario.parse(response.scenario))
    assert response.results["tco"]["horizon_months"] == 24
    assert response.results["tco"]["paths"][0]["total"] == pytest.approx(expected.path("api").total)
    assert response.answer.startswith("**Recommendation")
    # A bad edit is refused with the field and range, and leaves the scenario as it was.
    bad = advisor.update_scenario("p", {"usage.monthly_growth": 5})
    assert bad.scenario == response.scenario
    assert any("usage.monthly_growth" in n and "allowed range" in n for n in bad.notices)
    assert advisor.session("p").history[-1].content == bad.answer


def test_stream_yields_tool_steps_then_the_answer():
    advisor = Advisor(chat_model=set_volume(2e9, "Done."), knowledge=NoKnowledge())
    events = list(advisor.stream("2B tokens a month", session_id="st"))
    kinds = [e.kind for e in events]
    assert kinds == ["tool_call", "tool_result", "answer"]
    assert isinstance(events[0], AdvisorEvent) and events[0].name == "what_if"
    assert events[0].arguments["changes"][0]["value"] == 2e9
    assert events[1].summary.startswith("cheapest over 36 months")
    assert events[-1].response.answer == "Done." and events[-1].response.session_id == "st"


def test_postgres_checkpointer_is_chosen_when_configured(monkeypatch):
    # Without a Postgres server here, the choice is checked by the connection attempt it makes.
    monkeypatch.setenv("ADVISOR_POSTGRES_URL", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1")
    get_settings.cache_clear()
    advisor = Advisor(knowledge=NoKnowledge())
    with pytest.raises(Exception) as info:
        advisor.graph  # noqa: B018
    assert "127.0.0.1" in str(info.value) or "connect" in str(info.value).lower()
    assert not get_settings().resolved_threads_db.exists()


def test_a_failing_brain_costs_one_answer_not_the_conversation():
    class Broken(GenericFakeChatModel):
        def bind_tools(self, tools, **kwargs):
            return self

    kb = NoKnowledge()
    advisor = Advisor(chat_model=set_volume(1e9), knowledge=kb)
    advisor.chat("1B tokens a month", session_id="f")
    # A tool the loop does not know breaks the graph itself (not a model or tool error).
    from agent import graph as graph_module

    broken_advisor = Advisor(chat_model=Broken(messages=iter([AIMessage("ok")])), knowledge=kb)
    broken_advisor._graph = graph_module.build_graph(
        offline_brain=None, tools=[], llm=None, checkpointer=broken_advisor._open_checkpointer()
    )
    response = broken_advisor.chat("and now?", session_id="f")
    assert "nothing was changed" in response.answer and response.notices[0].startswith("internal error")
    assert response.scenario["usage"] == {"monthly_total_tokens": 1e9}
    history = [t.content for t in advisor.session("f").history]
    assert history[:3] == ["1B tokens a month", "Recorded.", "and now?"]
    assert history[3] == response.answer
    # ...and the session goes on.
    assert advisor.session("f").scenario == response.scenario


def test_a_turn_does_not_wait_for_the_knowledge_base_being_built():
    import time

    advisor = Advisor()  # the default knowledge base, not built yet
    with advisor._knowledge_lock:  # what warm_up holds while it builds the index
        start = time.perf_counter()
        response = advisor.chat("We process 2 billion tokens a month. Should we fine-tune?", session_id="w")
        elapsed = time.perf_counter() - start
    assert "No citations this time" in response.answer and "still being prepared" in response.answer
    assert response.citations == [] and response.answer.startswith("**Recommendation")
    assert elapsed < 30  # it did not wait for an index build (which takes minutes here)
    assert advisor._knowledge is None


def test_a_turn_during_warm_up_does_not_build_the_index_itself(monkeypatch):
    """While warm_up() is still loading the intent model (before it takes the knowledge lock), a
    turn must not start a second, synchronous index build: it answers without citations."""
    import threading

    from agent.understanding import intent_model as intent_model_module

    release = threading.Event()
    monkeypatch.setattr(intent_model_module, "intent_model", lambda: release.wait(30))
    advisor = Advisor()  # the default knowledge base, not built yet
    built = []
    monkeypatch.setattr(advisor, "knowledge", lambda: built.append(1) or release.wait(30))
    thread = advisor.warm_up()
    try:
        response = advisor.chat("We process 2 billion tokens a month. Should we fine-tune?", session_id="ww")
    finally:
        release.set()
        thread.join(timeout=30)
    assert "still being prepared" in response.answer and response.citations == []
    assert built == [1]  # only the warm-up asked for the knowledge base
    assert not advisor._warming.is_set()
