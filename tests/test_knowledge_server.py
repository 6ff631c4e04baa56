"""The knowledge base against a real ChromaDB server (`chroma run`) started and stopped by the test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from knowledge_helpers import block_outbound_sockets, copy_fixture_corpus

from bench.server import free_port
from knowledge import KnowledgeBase
from knowledge.store import IndexStoreError
from tools.settings import Settings

pytestmark = pytest.mark.slow

CHROMA = Path(sys.executable).parent / "chroma"


@pytest.fixture
def chroma_server(tmp_path):
    if not CHROMA.exists():
        pytest.fail(f"the chroma CLI is missing at {CHROMA}; reinstall chromadb")
    port = free_port()
    log = (tmp_path / "chroma.log").open("wb")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("chroma run did not start: " + (tmp_path / "chroma.log").read_text())
            time.sleep(0.2)
    yield port
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def test_index_and_search_through_a_chroma_server(chroma_server, tmp_path, isolated_data_dir, monkeypatch):
    block_outbound_sockets(monkeypatch)  # loopback only: the server is on 127.0.0.1
    corpus = copy_fixture_corpus(tmp_path / "corpus")
    settings = Settings(data_dir=isolated_data_dir, chroma_host="127.0.0.1", chroma_port=chroma_server)
    kb = KnowledgeBase(settings, corpus_dir=corpus)

    report = kb.ensure_index()
    assert report.added == ["annotation.md", "glossary.md", "hosting.md"]
    assert report.total_chunks == 6
    assert not settings.resolved_index_dir.exists()  # nothing written locally

    hit = kb.search("what is a hold-out set used for?").passages[0]
    assert (hit.source, hit.section) == ("glossary.md", "Hold-out set")

    # A second client sees the same index and finds nothing to re-embed.
    again = KnowledgeBase(settings, corpus_dir=corpus).ensure_index()
    assert again.unchanged == 3 and again.embedded_chunks == 0

    (corpus / "glossary.md").unlink()
    assert KnowledgeBase(settings, corpus_dir=corpus).ensure_index().removed == ["glossary.md"]

    # A collection written by another schema version is noticed and rebuilt.
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    collection = client.get_collection(settings.collection)
    collection.modify(metadata={**collection.metadata, "schema_version": "0"})
    report = KnowledgeBase(settings, corpus_dir=corpus).ensure_index()
    assert report.rebuilt and any("schema_version': '0'" in m for m in report.messages)
    assert report.total_chunks == 4 and report.added == ["annotation.md", "hosting.md"]


def test_unreachable_server_is_a_clear_error(isolated_data_dir):
    settings = Settings(data_dir=isolated_data_dir, chroma_host="127.0.0.1", chroma_port=free_port())
    kb = KnowledgeBase(settings, corpus_dir=isolated_data_dir / "no-corpus")
    with pytest.raises(IndexStoreError, match="ADVISOR_CHROMA_HOST"):
        kb.ensure_index()
    result = kb.search("annotation costs")
    assert result.no_guidance and "unavailable" in result.message
