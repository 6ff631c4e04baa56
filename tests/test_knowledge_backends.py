"""The OpenAI-compatible embedding back-end, through the real langchain-openai client, against a
small local server speaking the /v1/embeddings protocol (no network, no torch)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from knowledge_helpers import block_outbound_sockets, copy_fixture_corpus

from knowledge import KnowledgeBase
from knowledge.embeddings import EmbeddingBackendError, get_embedder
from tools.settings import Settings

DIM = 64


def hashed_bag_of_words(text: str) -> list[float]:
    """A deterministic embedding: each word adds 1 to a dimension chosen by its hash."""
    vector = np.zeros(DIM)
    for word in re.findall(r"[a-z]+", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1.0
    return vector.tolist()


@pytest.fixture
def embedding_server():
    requests: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
            inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
            data = []
            for i, text in enumerate(inputs):
                vector = hashed_bag_of_words(text)
                if body.get("encoding_format") == "base64":
                    vector = base64.b64encode(struct.pack(f"<{DIM}f", *vector)).decode()
                data.append({"object": "embedding", "index": i, "embedding": vector})
            reply = json.dumps({"object": "list", "data": data, "model": body["model"],
                                "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], requests
    server.shutdown()
    server.server_close()


def test_openai_compatible_backend_indexes_and_searches(embedding_server, tmp_path, isolated_data_dir, monkeypatch):
    block_outbound_sockets(monkeypatch)
    port, requests = embedding_server
    corpus = copy_fixture_corpus(tmp_path / "corpus")
    settings = Settings(
        data_dir=isolated_data_dir, embedding_backend="openai", embedding_model="house-embed",
        embedding_base_url=f"http://127.0.0.1:{port}/v1", llm_api_key="sk-local",
    )
    kb = KnowledgeBase(settings, corpus_dir=corpus, relevance_floor=0.0)
    report = kb.ensure_index()
    assert report.total_chunks == 6 and not report.rebuilt
    assert requests and all(r["path"] == "/v1/embeddings" and r["model"] == "house-embed" for r in requests)
    assert requests[0]["auth"] == "Bearer sk-local"

    hit = kb.search("hold-out set examples kept aside from training").passages[0]
    assert (hit.source, hit.section) == ("glossary.md", "Hold-out set")
    assert requests[-1]["input"] in (["hold-out set examples kept aside from training"],
                                     "hold-out set examples kept aside from training")

    # Another embedder means other vectors: the index notices and rebuilds.
    other = Settings(**{**settings.model_dump(), "embedding_model": "house-embed-v2"})
    report = KnowledgeBase(other, corpus_dir=corpus, relevance_floor=0.0).ensure_index()
    assert report.rebuilt and any("house-embed-v2" in m for m in report.messages)
    assert report.embedded_chunks == 6


@pytest.mark.parametrize(
    ("settings", "names"),
    [
        ({"embedding_backend": "openai"}, "ADVISOR_EMBEDDING_MODEL"),
        ({"embedding_backend": "ollama"}, "ADVISOR_EMBEDDING_MODEL"),
        ({"embedding_backend": "openai", "embedding_model": "m"}, "ADVISOR_LLM_API_KEY"),
    ],
)
def test_misconfigured_backend_names_the_setting(settings, names, isolated_data_dir, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(EmbeddingBackendError, match=names):
        get_embedder(Settings(data_dir=isolated_data_dir, **settings))
