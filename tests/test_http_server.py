"""The whole app through a real ``advisor serve`` (uvicorn) on a loopback port: REST, the OpenAI
client plain and streaming, the Gradio pages and ``gradio_client``."""

from __future__ import annotations

import json

import httpx
import pytest

from bench.server import ServerProcess

pytestmark = pytest.mark.slow

QUESTION = "We use 300M input and 100M output tokens a month on GPT-4o. Should we fine-tune Llama 3 8B?"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = ServerProcess(tmp_path_factory.mktemp("serve") / "data")
    try:
        running.wait_until("/api/v1/health", timeout=60)
        yield running
    finally:
        running.stop()


def test_api_answers_over_loopback(server):
    health = httpx.get(server.url + "/api/v1/health").json()
    assert health["status"] == "ok"
    r = httpx.post(server.url + "/api/v1/chat", json={"message": QUESTION}, timeout=300)
    assert r.status_code == 200
    body = r.json()
    assert body["answer"].strip()
    view = httpx.get(f"{server.url}/api/v1/sessions/{body['session_id']}").json()
    assert view["history"][0]["content"] == QUESTION
    tco = httpx.post(
        server.url + "/api/v1/tco",
        json={"usage": {"monthly_input_tokens": 300e6, "monthly_output_tokens": 100e6},
              "api": {"input_price_per_mtok": 2.5, "output_price_per_mtok": 10}},
    ).json()
    api = next(p for p in tco["paths"] if p["id"] == "api")
    # by hand: 300 x $2.50 + 100 x $10 = $1,750 of tokens in month 1
    assert sum(line["months"][0] for line in api["lines"] if "token" in line["id"]) == pytest.approx(1750)
    assert httpx.post(server.url + "/api/v1/tco", json={"usage": {}}).status_code == 422


def test_body_limit_over_real_http(server):
    def chunks():
        for _ in range(40):
            yield b"x" * 50_000  # 2 MB, chunked: no Content-Length to check up front

    r = httpx.post(server.url + "/api/v1/chat", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_openai_client_over_http(server):
    from openai import OpenAI

    client = OpenAI(base_url=server.url + "/v1", api_key="unused", timeout=300)
    plain = client.chat.completions.create(
        model="finetune-advisor", messages=[{"role": "user", "content": QUESTION}], user="loopback-1"
    )
    assert plain.choices[0].message.content.strip()
    chunks = list(client.chat.completions.create(
        model="finetune-advisor", messages=[{"role": "user", "content": "What if our volume doubles?"}],
        user="loopback-1", stream=True,
    ))  # fmt: skip
    assert chunks[-1].choices[0].finish_reason == "stop"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    view = httpx.get(server.url + "/api/v1/sessions/loopback-1").json()
    assert view["history"][-1]["content"] == streamed
    assert len([t for t in view["history"] if t["role"] == "user"]) == 2


def test_gradio_pages_and_client(server):
    server.wait_until("/", timeout=180)
    page = httpx.get(server.url + "/")
    assert page.status_code == 200 and "gradio" in page.text.lower()
    assert httpx.get(server.url + "/embed/").status_code == 200
    config = httpx.get(server.url + "/config").json()
    assert any(c.get("props", {}).get("elem_id") == "chat" for c in config["components"])

    from gradio_client import Client

    client = Client(server.url + "/", verbose=False)
    history, box = client.predict(QUESTION, [], api_name="/chat")
    assert box == ""
    texts = [m for m in history if m["role"] == "assistant"]
    assert texts, history
    panel = client.predict(api_name="/panel")
    assert "Cheapest over" in json.dumps(panel)
