"""Scale-out on existing engines: two ``advisor serve`` processes with separate data directories share
conversations through a real Postgres checkpointer and the index through a real ``chroma run`` server,
so a conversation started on one instance continues on the other (any load balancer, no stickiness).

Needs a Postgres server: ``ADVISOR_TEST_POSTGRES_URL`` (``.ci/run`` starts one on loopback and sets
it). Each test works in a fresh database with a random name, dropped at the end."""

from __future__ import annotations

import os
import secrets
from types import SimpleNamespace

import httpx
import pytest
from test_agent_conversations import GPT4O, check_turn
from test_agent_state import NoKnowledge, api_total, scale_volume, set_volume
from test_knowledge_server import chroma_server  # noqa: F401 - the fixture, used by name

from agent.advisor import Advisor
from bench.server import ServerProcess
from tools.scenario import Scenario
from tools.settings import Settings
from tools.tco import compute_tco

pytestmark = pytest.mark.slow

# Read at import: the autouse fixture of conftest.py clears every ADVISOR_* variable around a test.
ADMIN_URL = os.environ.get("ADVISOR_TEST_POSTGRES_URL")


def _unreachable_reason() -> str | None:
    if not ADMIN_URL:
        return "ADVISOR_TEST_POSTGRES_URL is unset (.ci/run starts Postgres on loopback and sets it)"
    import psycopg

    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error as error:
        return f"the Postgres server of ADVISOR_TEST_POSTGRES_URL is unreachable: {error}"
    return None


@pytest.fixture(scope="module")
def postgres_reachable():
    reason = _unreachable_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture
def fresh_database(postgres_reachable) -> str:
    """The URL of a new, empty database (random name) on the test server, dropped afterwards."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = "advisor_scale_" + secrets.token_hex(6)
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_conninfo(**{**conninfo_to_dict(ADMIN_URL), "dbname": name})
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_url(conninfo: str) -> str:
    """A ``key=value`` conninfo as the ``postgresql://`` URL an operator would set."""
    from psycopg.conninfo import conninfo_to_dict

    c = conninfo_to_dict(conninfo)
    return f"postgresql://{c['user']}:{c.get('password', '')}@{c.get('host', '127.0.0.1')}:{c.get('port', 5432)}/{c['dbname']}"


def _chat(server: ServerProcess, message: str, session_id: str | None) -> SimpleNamespace:
    r = httpx.post(server.url + "/api/v1/chat", json={"message": message, "session_id": session_id}, timeout=300)
    assert r.status_code == 200, (r.status_code, r.text, server.log())
    return SimpleNamespace(**r.json())


def test_a_conversation_started_on_one_instance_continues_on_another(chroma_server, fresh_database, tmp_path):  # noqa: F811
    shared = {
        "ADVISOR_POSTGRES_URL": _as_url(fresh_database),
        "ADVISOR_CHROMA_HOST": "127.0.0.1",
        "ADVISOR_CHROMA_PORT": str(chroma_server),
    }
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    a = ServerProcess(tmp_path / "a" / "data", env=shared)
    b = None
    try:
        # A builds the index in the chroma server; B, started afterwards, finds it there.
        a.wait_for_health("knowledge", "ready", timeout=900)
        b = ServerProcess(tmp_path / "b" / "data", env=shared)
        b.wait_for_health("knowledge", "ready", timeout=300)

        first = _chat(a, "We spend about $40k a month on GPT-4o for support triage. Should we fine-tune?", None)
        session = first.session_id
        spend = {"usage": {"monthly_api_spend_usd": 40000.0}, "api": GPT4O}
        check_turn(first, spend)
        assert first.citations, first.answer  # retrieved from the index in the chroma server
        second = _chat(a, "And with H100s at $2/h?", session)
        h100 = {**spend, "self_hosted": {"training_gpu": "h100-80gb", "training_gpu_price_per_hour": 2.0}}
        check_turn(second, h100)

        # The what-if goes to B: it applies to the scenario built on A.
        third = _chat(b, "What if volume doubles?", session)
        doubled = {**h100, "usage": {"monthly_api_spend_usd": 80000.0}}
        check_turn(third, doubled)  # every figure of B's table equals the engine on A's scenario, doubled
        # Expected: the cost engine called directly on $80k/month of GPT-4o with H100s at $2/h.
        expected = compute_tco(Scenario.parse(doubled))
        totals = {p["id"]: p["total"] for p in third.results["tco"]["paths"]}
        assert totals == pytest.approx({p.id: p.total for p in expected.paths})
        assert third.citations and all(c["source"].endswith(".md") for c in third.citations)

        # A sees the turn made on B, and B lists the session started on A.
        view = httpx.get(f"{a.url}/api/v1/sessions/{session}", timeout=30).json()
        contents = [t["content"] for t in view["history"]]
        assert [t["role"] for t in view["history"]] == ["user", "assistant"] * 3
        assert contents[4] == "What if volume doubles?" and contents[5] == third.answer
        assert view["scenario"] == doubled
        listed = httpx.get(f"{b.url}/api/v1/sessions", timeout=30)
        if listed.status_code == 200:
            assert session in {s["session_id"] for s in listed.json()}

        # Nothing went through the local disk: no SQLite file, no local index, on either instance.
        for server in (a, b):
            data_dir = tmp_path / ("a" if server is a else "b") / "data"
            assert not (data_dir / "threads.sqlite").exists()
            assert not (data_dir / "index").exists()
    finally:
        a.stop()
        if b is not None:
            b.stop()


def test_postgres_checkpointer_keeps_history_across_a_restart(fresh_database, isolated_data_dir):
    settings = Settings(data_dir=isolated_data_dir, postgres_url=_as_url(fresh_database))
    kb = NoKnowledge()
    first = Advisor(settings, chat_model=set_volume(3e8), knowledge=kb)
    first.chat("300M tokens a month", session_id="pg-1")
    first.chat("hello", session_id="pg-other")
    del first  # a new process: a new advisor on the same database
    second = Advisor(settings, chat_model=scale_volume(3), knowledge=kb)
    response = second.chat("what if it triples?", session_id="pg-1")
    assert response.scenario["usage"] == {"monthly_total_tokens": 9e8}
    # Expected: the engine on 900M tokens/month, the default GPT-4o prices.
    expected = api_total({"usage": {"monthly_total_tokens": 9e8}, "api": GPT4O})
    assert response.results["tco"]["paths"][0]["total"] == pytest.approx(expected)
    third = Advisor(settings, knowledge=kb)
    history = third.session("pg-1").history
    assert [t.role for t in history] == ["user", "assistant", "user", "assistant"]
    assert history[0].content == "300M tokens a month" and history[2].content == "what if it triples?"
    assert {s.session_id for s in third.list_sessions()} == {"pg-1", "pg-other"}
    assert third.session("pg-other").scenario.get("usage") != {"monthly_total_tokens": 9e8}
    assert not settings.resolved_threads_db.exists()  # nothing in SQLite


def test_the_advisor_survives_a_dropped_database_connection(fresh_database, isolated_data_dir):
    """A Postgres restart or failover drops every open connection; the instances must not need one."""
    import psycopg

    settings = Settings(data_dir=isolated_data_dir, postgres_url=_as_url(fresh_database))
    kb = NoKnowledge()
    brain = set_volume(3e8)
    brain.messages = iter([*brain.messages, *scale_volume(2).messages])  # two turns, scripted
    advisor = Advisor(settings, chat_model=brain, knowledge=kb)
    advisor.chat("300M tokens a month", session_id="drop")
    dbname = psycopg.conninfo.conninfo_to_dict(fresh_database)["dbname"]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s", (dbname,)
        ).fetchone()[0]
    assert killed >= 1  # the advisor's connection was open, and is gone now
    response = advisor.chat("and doubled?", session_id="drop")
    assert response.scenario["usage"] == {"monthly_total_tokens": 6e8}, response.notices
    assert [t.content for t in advisor.session("drop").history][::2] == ["300M tokens a month", "and doubled?"]
