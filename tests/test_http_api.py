"""The REST and OpenAI-compatible API through FastAPI's test client, over the real offline Advisor."""

from __future__ import annotations

import json
import threading

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from test_ui_support import advisor, shared_knowledge  # noqa: F401 - fixtures

from tools.settings import get_settings
from ui.server import create_app

MINIMAL = {
    "horizon_months": 36,
    "usage": {"monthly_input_tokens": 300_000_000, "monthly_output_tokens": 100_000_000, "monthly_growth": 0.0},
    "api": {"input_price_per_mtok": 2.50, "output_price_per_mtok": 10.00},
}
QUESTION = "We use 300M input and 100M output tokens a month on GPT-4o. Should we fine-tune Llama 3 8B?"


@pytest.fixture
def client(advisor):  # noqa: F811
    app = create_app(get_settings(), advisor, ui="off", warm_knowledge=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_health(client):
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["advisor"] == "ready"
    assert body["ui"] == "off"


def test_tco_minimal_scenario_api_token_cost(client):
    r = client.post("/api/v1/tco", json=MINIMAL)
    assert r.status_code == 200
    result = r.json()
    api = next(p for p in result["paths"] if p["id"] == "api")
    tokens = [line for line in api["lines"] if "token" in line["id"]]
    # by hand: 300M x $2.50/1M + 100M x $10/1M = $750 + $1,000 = $1,750 a month; x 36 = $63,000
    assert sum(line["months"][0] for line in tokens) == pytest.approx(1_750)
    assert sum(line["total"] for line in tokens) == pytest.approx(63_000)
    assert {p["id"] for p in result["paths"]} == {
        "api", "api_rag", "vendor_finetune", "self_hosted_lora", "self_hosted_full",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"usage": {"monthly_input_tokens": -1, "monthly_output_tokens": 5}}, "usage.monthly_input_tokens"),
        ({**MINIMAL, "horizon_months": 0}, "horizon_months"),
        ({**MINIMAL, "self_hosted": {"training_gpu": "h1000"}}, "self_hosted.training_gpu"),
        ({**MINIMAL, "usage": {"monthly_input_tokens": "lots", "monthly_output_tokens": 1}}, "usage.monthly_input_tokens"),
        ({"horizon_months": 36}, "usage"),
    ],
)
def test_tco_invalid_input_is_422_naming_the_field(client, body, field):
    r = client.post("/api/v1/tco", json=body)
    assert r.status_code == 422
    assert field in r.json()["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"message": 3}, "message"),
        ({"message": "hi", "session_id": "../etc/passwd"}, "session_id"),
        ({"message": "hi", "sesion_id": "x"}, "sesion_id"),
    ],
)
def test_chat_invalid_input_is_422_naming_the_field(client, body, field):
    r = client.post("/api/v1/chat", json=body)
    assert r.status_code == 422
    assert field in r.json()["message"]


def test_malformed_json_is_422(client):
    r = client.post("/api/v1/chat", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_body_over_limit_is_413_by_length_and_when_streamed(client):
    limit = get_settings().max_body_bytes
    big = json.dumps({"message": "x" * (limit + 10)}).encode()
    assert client.post("/api/v1/chat", content=big, headers={"content-type": "application/json"}).status_code == 413

    def chunks():  # no Content-Length: the body arrives chunked and is counted as it streams
        for i in range(0, len(big), 65_536):
            yield big[i : i + 65_536]

    r = client.post("/api/v1/chat", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_schema_and_docs(client):
    schema = client.get("/api/v1/scenario/schema").json()
    assert "usage" in schema["properties"]
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/chat", "/api/v1/tco", "/api/v1/scenario/schema", "/api/v1/sessions/{session_id}",
                 "/api/v1/health", "/v1/chat/completions", "/v1/models"):
        assert path in paths


def test_chat_turn_and_session_history(client):
    r = client.post("/api/v1/chat", json={"message": QUESTION, "session_id": None})
    assert r.status_code == 200
    first = r.json()
    assert set(first) >= {"session_id", "answer", "scenario", "results", "citations", "tool_calls"}
    assert first["answer"].strip()
    for c in first["citations"]:
        assert set(c) >= {"source", "title", "section", "snippet", "score"}
    for t in first["tool_calls"]:
        assert set(t) >= {"name", "arguments"}
    sid = first["session_id"]
    second = client.post("/api/v1/chat", json={"message": "What if our volume doubles?", "session_id": sid}).json()
    assert second["session_id"] == sid

    view = client.get(f"/api/v1/sessions/{sid}").json()
    users = [t["content"] for t in view["history"] if t["role"] == "user"]
    assert users == [QUESTION, "What if our volume doubles?"]
    assert view["scenario"] == second["scenario"]
    listed = client.get("/api/v1/sessions").json()
    assert sid in [s["session_id"] for s in listed]


def test_chat_results_are_the_calculators_figures(client):
    """Whatever TCO the turn returns equals a direct compute_tco of the scenario it returns."""
    from tools.scenario import Scenario
    from tools.tco import compute_tco

    body = client.post("/api/v1/chat", json={"message": QUESTION}).json()
    tco = (body["results"] or {}).get("tco")
    if tco is None:
        pytest.skip("the offline brain computed no TCO for this message")
    direct = compute_tco(Scenario.parse(body["scenario"])).model_dump(mode="json")
    assert [p["total"] for p in tco["paths"]] == pytest.approx([p["total"] for p in direct["paths"]])


def test_unknown_session_is_404(client):
    assert client.get("/api/v1/sessions/nope-never-made").status_code == 404
    assert client.get("/api/v1/sessions/bad id!").status_code == 422


def test_two_sessions_in_parallel_stay_isolated(client):
    messages = {
        "alpha": "We process 50M input and 20M output tokens a month.",
        "beta": "We process 900M input and 300M output tokens a month.",
    }
    results: dict[str, dict] = {}

    def run(sid: str) -> None:
        results[sid] = client.post("/api/v1/chat", json={"message": messages[sid], "session_id": sid}).json()

    threads = [threading.Thread(target=run, args=(sid,)) for sid in messages]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for sid, message in messages.items():
        view = client.get(f"/api/v1/sessions/{sid}").json()
        assert [t["content"] for t in view["history"] if t["role"] == "user"] == [message]
        assert view["scenario"] == results[sid]["scenario"]
    alpha, beta = (results[s]["scenario"].get("usage") for s in ("alpha", "beta"))
    if results["alpha"]["results"] and results["beta"]["results"]:
        assert alpha != beta  # each conversation computed on its own volume


def test_openai_client_plain_and_streaming(client):
    from openai import OpenAI

    oa = OpenAI(base_url=str(client.base_url) + "/v1", api_key="unused", http_client=client)
    assert [m.id for m in oa.models.list().data] == ["finetune-advisor"]
    plain = oa.chat.completions.create(
        model="finetune-advisor", messages=[{"role": "user", "content": QUESTION}], user="portal-user-1"
    )
    answer = plain.choices[0].message.content
    assert answer.strip()
    stream = oa.chat.completions.create(
        model="finetune-advisor",
        messages=[{"role": "user", "content": QUESTION}, {"role": "assistant", "content": answer},
                  {"role": "user", "content": "What if our volume doubles?"}],
        user="portal-user-1",
        stream=True,
    )
    pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
    streamed = "".join(pieces)
    assert streamed.strip() and len(pieces) >= 2
    # the `user` field names the session: both turns landed in the same conversation
    view = client.get("/api/v1/sessions/portal-user-1").json()
    assert [t["content"] for t in view["history"] if t["role"] == "user"] == [QUESTION, "What if our volume doubles?"]
    assert view["history"][-1]["content"] == streamed


def test_openai_session_from_header(client):
    r = client.post(
        "/v1/chat/completions",
        json={"model": "finetune-advisor", "messages": [{"role": "user", "content": "hello"}]},
        headers={"X-Session-Id": "from-header"},
    )
    assert r.status_code == 200 and r.headers["x-session-id"] == "from-header"
    assert client.get("/api/v1/sessions/from-header").status_code == 200
    bad = client.post("/v1/chat/completions", json={"model": "x", "messages": [{"role": "system", "content": "x"}]})
    assert bad.status_code == 422 and "messages" in bad.json()["message"]


def test_frame_ancestors_header(client):
    r = client.get("/api/v1/health")
    assert r.headers["content-security-policy"] == "frame-ancestors 'self'"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3),
    max_leaves=8,
)


@hsettings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(["usage", "api", "horizon_months", "self_hosted", "x"]), json_values, max_size=4))
def test_tco_never_500(client, body):
    assert client.post("/api/v1/tco", json=body).status_code in (200, 422)


def test_ui_host_shows_a_starting_page_until_the_ui_is_up():
    """Before Gradio is built the API already answers and "/" says it is starting; after, "/" is the UI."""
    from fastapi import FastAPI

    from ui.server import UiHost

    def build() -> FastAPI:
        ui = FastAPI()

        @ui.get("/")
        def home() -> dict:
            return {"ui": "up"}

        return ui

    host = UiHost(build)
    outer = FastAPI()
    outer.mount("/", host)
    with TestClient(outer) as c:
        r = c.get("/")
        assert r.status_code == 503 and 'http-equiv="refresh"' in r.text and r.headers["retry-after"] == "2"
        host.build_now()
        c.portal.call(host.start)
        assert c.get("/").json() == {"ui": "up"}
        c.portal.call(host.stop)


def test_embed_redirects_to_its_slash(client):
    r = client.get("/embed", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "embed/"
