"""Indexing and retrieval for real: the bundled model, ChromaDB on tmp_path, outbound sockets blocked.

The embedding model loads once per test process (knowledge.embeddings caches it), so only the first
of these tests pays for torch.
"""

from __future__ import annotations

import json
import threading

import pytest
from knowledge_helpers import block_outbound_sockets, copy_fixture_corpus, make_pdf

from knowledge import KnowledgeBase
from knowledge.store import MARKER_FILE
from knowledge.tools import TOOL_NAME, llamaindex_retriever, retriever_tool
from tools.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture
def offline(monkeypatch):
    return block_outbound_sockets(monkeypatch)


@pytest.fixture
def kb(tmp_path, isolated_data_dir, offline):
    corpus = copy_fixture_corpus(tmp_path / "corpus")
    return KnowledgeBase(Settings(data_dir=isolated_data_dir), corpus_dir=corpus)


def _chunks_by_source(kb: KnowledgeBase) -> dict[str, set[str]]:
    got = kb._collection.get(where={"kind": "chunk"}, include=["metadatas"])
    found: dict[str, set[str]] = {}
    for chunk_id, meta in zip(got["ids"], got["metadatas"], strict=True):
        found.setdefault(meta["source"], set()).add(chunk_id)
    return found


def test_index_and_search_offline_with_citations(kb, offline):
    progress = []
    report = kb.ensure_index(progress=lambda done, total, source: progress.append((done, total)))
    assert report.added == ["annotation.md", "glossary.md", "hosting.md"]
    # two '##' sections per fixture file, each short enough for one chunk
    assert report.embedded_chunks == report.total_chunks == 6
    assert progress[0] == (0, 3) and progress[-1] == (3, 3)

    result = kb.search("what does it cost to have experts label training examples?")
    assert not result.no_guidance
    top = result.passages[0]
    assert (top.source, top.title, top.section) == (
        "annotation.md", "Paying for labelled data", "Annotation cost per example"
    )
    assert "labelling invoice" in top.snippet
    assert len({(p.source, p.section) for p in result.passages}) == len(result.passages)
    assert offline == []  # nothing even tried to reach the network


def test_second_run_changes_nothing_and_loads_no_embedding(kb, monkeypatch):
    from knowledge import embeddings

    kb.ensure_index()
    # An empty model cache for the second run: had it needed the embedder, it would be back.
    monkeypatch.setattr(embeddings, "_cache", {})
    again = KnowledgeBase(kb.settings, corpus_dir=kb.corpus_dir).ensure_index()
    assert (again.added, again.updated, again.removed, again.embedded_chunks) == ([], [], [], 0)
    assert again.unchanged == 3 and not again.changed
    assert embeddings._cache == {}


def test_changed_file_alone_is_reembedded_and_deleted_file_leaves(kb):
    kb.ensure_index()
    before = _chunks_by_source(kb)
    path = kb.corpus_dir / "hosting.md"
    path.write_text(path.read_text().replace("around the clock", "day and night, all year"))
    report = kb.ensure_index()
    assert report.updated == ["hosting.md"] and report.added == [] and report.unchanged == 2
    assert report.embedded_chunks == len(before["hosting.md"]) == 2
    after = _chunks_by_source(kb)
    assert after == before  # stable ids: same sections, same ids
    assert any("day and night" in p.snippet for p in kb.search("GPUs on standby for users").passages)

    (kb.corpus_dir / "glossary.md").unlink()
    report = kb.ensure_index()
    assert report.removed == ["glossary.md"]
    assert "glossary.md" not in _chunks_by_source(kb)
    everything = kb._collection.get(where={"source": "glossary.md"})
    assert everything["ids"] == []  # its sentence vectors went too
    assert all(p.source != "glossary.md" for p in kb.search("low-rank adapters LoRA").passages)


def test_questions_a_section_lists_are_indexed_with_it_and_stay_out_of_snippets(kb):
    path = kb.corpus_dir / "contracts.md"
    body = (
        "# Supplier contracts\n\n"
        "## Exit clauses\n\nThe agreement lets either party terminate with ninety days notice, "
        "and obliges the provider to return every dataset in an open format.\n\n"
        "## Service credits\n\nWhen monthly availability falls under the agreed level, the "
        "provider refunds a share of the fee as credits against the next invoice.\n"
    )
    path.write_text(body)
    kb.ensure_index()
    assert len(kb._snapshot.question_owner) == 0  # the fixture corpus lists no questions

    path.write_text(body.replace(
        "next invoice.\n",
        "next invoice.\n\n<!-- questions\n- what do we get back when the service keeps going down?\n"
        "- is there compensation for outages?\n-->\n",
    ))
    report = kb.ensure_index()
    assert report.updated == ["contracts.md"]
    rows = kb._collection.get(where={"kind": "question"}, include=["documents", "metadatas"])
    assert sorted(rows["documents"]) == [
        "is there compensation for outages?", "what do we get back when the service keeps going down?"
    ]
    # Both questions belong to the chunk of "Service credits", and the question ranking puts it first.
    owners = {kb._snapshot.metadatas[i]["section"] for i in kb._snapshot.question_owner}
    assert owners == {"Service credits"}
    vector = kb._embedder().get_query_embedding("do we get compensated for outages?")
    first = kb._snapshot.question_ranking(vector)[0]
    assert kb._snapshot.metadatas[first]["section"] == "Service credits"
    passages = kb.search("do we get compensated for outages?").passages
    assert (passages[0].source, passages[0].section) == ("contracts.md", "Service credits")
    assert all("<!--" not in p.snippet and "outages" not in p.snippet for p in passages)


def test_users_documents_are_indexed_cited_and_bad_ones_skipped(kb):
    docs = kb.settings.resolved_documents_dir
    (docs / "policies").mkdir(parents=True)
    (docs / "policies" / "procurement.pdf").write_bytes(
        make_pdf(["Procurement requires two written quotes before any GPU rental contract."],
                 "Procurement policy")
    )
    (docs / "memo.html").write_text(
        "<html><head><title>Vendor memo</title></head><body><h1>Vendor memo</h1>"
        "<h2>Discounts</h2><p>The vendor grants a volume discount on tokens above ten million "
        "a month.</p></body></html>"
    )
    (docs / "notes.txt").write_text("Our data centre lease ends in March, after which we rent.")
    (docs / "scan.pdf").write_bytes(make_pdf([""]))
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (docs / "photo.md").write_bytes(b"\x89PNG\x00\x00binary")
    (docs / "empty.txt").write_text("")
    (docs / ".hidden.md").write_text("# hidden\n\nnot indexed")

    report = kb.ensure_index()
    assert sorted(report.added) == [
        "annotation.md", "documents/memo.html", "documents/notes.txt",
        "documents/policies/procurement.pdf", "glossary.md", "hosting.md",
    ]
    reasons = {s.source: s.reason for s in report.skipped}
    assert set(reasons) == {
        "documents/scan.pdf", "documents/broken.pdf", "documents/photo.md", "documents/empty.txt"
    }
    assert "no extractable text" in reasons["documents/scan.pdf"]
    assert "binary" in reasons["documents/photo.md"]

    hit = kb.search("how many quotes do we need before renting GPUs?").passages[0]
    assert (hit.source, hit.title, hit.section) == (
        "documents/policies/procurement.pdf", "Procurement policy", "page 1"
    )
    hit = kb.search("is there a volume discount on tokens?").passages[0]
    assert (hit.source, hit.section) == ("documents/memo.html", "Discounts")

    # A document that turns bad loses its old chunks instead of keeping stale text.
    (docs / "notes.txt").write_bytes(b"\x00\x01\x02")
    report = kb.ensure_index()
    assert report.removed == ["documents/notes.txt"]
    assert "documents/notes.txt" not in _chunks_by_source(kb)


def test_off_topic_empty_and_huge_queries(kb):
    kb.ensure_index()
    off = kb.search("best recipe for banana bread with walnuts")
    assert off.no_guidance and off.passages == []
    assert off.best_similarity < kb.relevance_floor
    assert kb.search("").no_guidance and kb.search("   \n\t ").no_guidance
    assert kb.search("?!").no_guidance
    huge = kb.search("who watches the model for drift and toxic answers after launch? " * 1600)
    assert len(huge.query) <= 2_000
    assert huge.passages[0].section == "Watching quality after launch"


def test_corrupted_index_is_rebuilt_with_a_message(kb, isolated_data_dir):
    kb.ensure_index()
    index_dir = kb.settings.resolved_index_dir
    (index_dir / "chroma.sqlite3").write_bytes(b"this is not a sqlite database" * 100)
    fresh = KnowledgeBase(Settings(data_dir=isolated_data_dir), corpus_dir=kb.corpus_dir)
    report = fresh.ensure_index()
    assert report.rebuilt
    assert any("could not be opened" in m for m in report.messages)
    assert report.total_chunks == 6 and sorted(report.added) == ["annotation.md", "glossary.md", "hosting.md"]
    assert fresh.search("LoRA adapters").passages[0].source == "glossary.md"


def test_version_mismatch_is_rebuilt_and_foreign_directory_refused(kb, isolated_data_dir):
    kb.ensure_index()
    marker = kb.settings.resolved_index_dir / MARKER_FILE
    marker.write_text(json.dumps({"schema_version": "0", "embedder": "bundled:all-MiniLM-L6-v2"}))
    fresh = KnowledgeBase(Settings(data_dir=isolated_data_dir), corpus_dir=kb.corpus_dir)
    report = fresh.ensure_index()
    assert report.rebuilt and any("schema version '0'" in m for m in report.messages)
    assert report.total_chunks == 6
    assert json.loads(marker.read_text())["schema_version"] != "0"

    rebuilt = fresh.ensure_index(rebuild=True)
    assert rebuilt.rebuilt and rebuilt.embedded_chunks == 6

    from knowledge.store import IndexStoreError

    foreign = isolated_data_dir / "elsewhere"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("mine")
    other = KnowledgeBase(
        Settings(data_dir=isolated_data_dir, index_dir=foreign), corpus_dir=kb.corpus_dir
    )
    with pytest.raises(IndexStoreError, match="not an index"):
        other.ensure_index()
    assert (foreign / "thesis.docx").read_text() == "mine"


def test_searching_while_indexing_never_crashes(kb):
    kb.ensure_index()
    errors: list[BaseException] = []
    results = []

    def reindex():
        try:
            for _ in range(2):
                kb.ensure_index(rebuild=True)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    worker = threading.Thread(target=reindex)
    worker.start()
    while worker.is_alive():
        results.append(kb.search("labelling cost per example"))
    worker.join()
    assert errors == []
    assert results, "the search loop never ran"
    for result in results:
        assert result.no_guidance or result.passages[0].source == "annotation.md"


def test_langchain_tool_and_llamaindex_retriever(kb):
    kb.ensure_index()
    tool = retriever_tool(kb)
    assert tool.name == TOOL_NAME
    assert set(tool.args) == {"query", "k"}
    text = tool.invoke({"query": "who watches for toxic output after launch", "k": 2})
    assert text.startswith("[1] Running a model in production — Watching quality after launch (hosting.md)")
    message = tool.invoke(
        {"type": "tool_call", "id": "call-1", "name": TOOL_NAME,
         "args": {"query": "banana bread recipe", "k": 2}}
    )
    assert message.content.startswith("NO GUIDANCE")
    assert message.artifact.no_guidance

    nodes = llamaindex_retriever(kb, k=2).retrieve("what is a hold-out set?")
    assert nodes[0].node.metadata == {
        "source": "glossary.md", "title": "Glossary", "section": "Hold-out set"
    }
    assert len(nodes) <= 2


def test_first_search_builds_a_missing_index_and_warm_up_loads_an_existing_one(kb):
    result = kb.search("labelling cost per example")  # no ensure_index before
    assert result.passages[0].source == "annotation.md"
    assert kb.settings.resolved_index_dir.exists()

    fresh = KnowledgeBase(kb.settings, corpus_dir=kb.corpus_dir)
    fresh.warm_up()
    assert fresh._snapshot is not None and len(fresh._snapshot) == 6
    assert fresh.search("what is a hold-out set?").passages[0].section == "Hold-out set"
