"""Reading and chunking documents, and the cheap parts of retrieval; no embedding model needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from knowledge_helpers import FIXTURE_CORPUS, make_pdf

from knowledge.documents import (
    UnreadableDocument,
    chunk_document,
    chunk_sentences,
    read_document,
    split_questions,
)
from knowledge.retrieval import MAX_QUERY_CHARS, fuse, lexical_tokens, normalise_query


def test_importing_knowledge_loads_no_heavy_library():
    code = (
        "import sys, knowledge, knowledge.models;"
        "heavy = [m for m in ('torch', 'chromadb', 'llama_index', 'sentence_transformers', 'bm25s')"
        " if m in sys.modules]; print(heavy); sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_markdown_chunks_carry_title_section_and_stable_ids():
    doc = read_document(FIXTURE_CORPUS / "annotation.md", "annotation.md")
    chunks = chunk_document(doc)
    assert doc.title == "Paying for labelled data"
    assert [c.section for c in chunks] == ["Annotation cost per example", "Reviewing the labels"]
    assert all(c.source == "annotation.md" and c.title == doc.title for c in chunks)
    assert len({c.id for c in chunks}) == len(chunks)
    # The same file chunked again gives the same ids: they hash source, section and ordinal.
    assert [c.id for c in chunk_document(doc)] == [c.id for c in chunks]
    assert chunks[0].metadata()["content_hash"] == doc.content_hash


def test_editing_one_section_keeps_the_ids_of_the_others(tmp_path):
    path = tmp_path / "annotation.md"
    text = (FIXTURE_CORPUS / "annotation.md").read_text()
    path.write_text(text)
    before = chunk_document(read_document(path, "annotation.md"))
    path.write_text(text.replace("slow work", "slow and costly work"))
    after = chunk_document(read_document(path, "annotation.md"))
    assert [c.id for c in before] == [c.id for c in after]
    assert before[0].text != after[0].text


def test_long_section_is_capped_and_deeper_headings_stay_in_their_section(tmp_path):
    sentence = "Every extra experiment burns more GPU hours on the cluster. "
    path = tmp_path / "long.md"
    path.write_text(f"# Long\n\n## Big section\n\n{sentence * 60}\n\n### Detail\n\nA sub point here.\n")
    chunks = chunk_document(read_document(path, "long.md"))
    assert len(chunks) >= 3  # 600 words split under a 200-token cap
    assert {c.section for c in chunks} == {"Big section"}


def test_text_html_and_pdf_become_markdown_with_sections(tmp_path):
    txt = tmp_path / "notes.txt"
    txt.write_text("Our vendor quoted two dollars per GPU hour.")
    doc = read_document(txt, "documents/notes.txt")
    assert doc.title == "notes" and chunk_document(doc)[0].section == "notes"

    html = tmp_path / "memo.html"
    html.write_text(
        "<html><head><title>Vendor memo</title><script>var secret = 1;</script></head><body>"
        "<h1>Vendor memo</h1><p>Intro.</p><h2>Pricing terms</h2><p>We pay per token.</p></body></html>"
    )
    doc = read_document(html, "documents/memo.html")
    chunks = chunk_document(doc)
    assert doc.title == "Vendor memo"
    assert "Pricing terms" in [c.section for c in chunks]
    assert "secret" not in doc.markdown

    pdf = tmp_path / "policy.pdf"
    pdf.write_bytes(make_pdf(["Two quotes are required for GPU rentals.", "Contracts last a year."], "Policy"))
    doc = read_document(pdf, "documents/policy.pdf")
    chunks = chunk_document(doc)
    assert doc.title == "Policy"
    assert [c.section for c in chunks] == ["page 1", "page 2"]
    assert "Two quotes are required" in chunks[0].text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.md", b"   \n", "empty"),
        ("blob.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "binary"),
        ("latin1.txt", "caf\xe9 cr\xe8me".encode("latin-1"), "UTF-8"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "PDF"),
        ("blank.pdf", make_pdf([""]), "no extractable text"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type"),
        ("headings.md", b"# Only a title\n\n## And a heading\n", "no text"),
    ],
)
def test_bad_files_are_refused_with_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableDocument, match=reason):
        read_document(path, name)


def test_sentences_include_the_heading_and_skip_fragments():
    chunk = chunk_document(read_document(FIXTURE_CORPUS / "glossary.md", "glossary.md"))[1]
    sentences = chunk_sentences(chunk)
    assert sentences[0] == "Hold-out set"
    assert sentences[1].startswith("Examples kept aside from training")


def test_a_sections_questions_leave_its_text_and_ride_on_its_first_chunk(tmp_path):
    sentence = "Every extra experiment burns more GPU hours on the cluster. "
    path = tmp_path / "faq.md"
    path.write_text(
        f"# FAQ\n\n## Big section\n\n{sentence * 60}\n\n<!-- questions\n- why so many runs?\n"
        "-   how   long is   training?  \nnot a question line\n- \n-->\n\n"
        "## Small section\n\nShort text. <!-- an editor's note --> More text here.\n"
    )
    chunks = chunk_document(read_document(path, "faq.md"))
    big = [c for c in chunks if c.section == "Big section"]
    assert len(big) >= 3
    assert big[0].questions == ("why so many runs?", "how long is training?")
    assert all(c.questions == () for c in big[1:])
    small = [c for c in chunks if c.section == "Small section"]
    assert small[0].questions == () and "editor" not in small[0].text
    assert not any("<!--" in c.text or "why so many" in c.text for c in chunks)
    assert split_questions("Text.<!-- QUESTIONS - one line -->") == ("Text.", ("one line",))


def test_queries_are_normalised_and_capped():
    assert normalise_query("  what\tis\n\x00 LoRA?  ") == "what is LoRA?"
    assert normalise_query("") == ""
    assert len(normalise_query("fine-tuning " * 10_000)) <= MAX_QUERY_CHARS


def test_lexical_tokens_drop_stop_words_and_share_stems():
    assert lexical_tokens("What are the annotation costs?") == lexical_tokens("annotation cost")


def test_reciprocal_rank_fusion_by_hand():
    # weights dense 1, sentence 1, lexical 0.75; k = 10. Item 7: 1/11 + 1/11 + 0.75/12;
    # item 3: 1/12 + 1/12 + 0.75/11; the maximum possible is 2.75/11.
    fused = dict(fuse({"dense": [7, 3], "sentence": [7, 3], "lexical": [3, 7]}, k=10))
    best = 2.75 / 11
    assert fused[7] == pytest.approx((2 / 11 + 0.75 / 12) / best)
    assert fused[3] == pytest.approx((2 / 12 + 0.75 / 11) / best)
    assert fuse({"dense": [1], "sentence": [1], "lexical": [1]}, k=10) == [(1, pytest.approx(1.0))]


def test_an_empty_ranking_does_not_lower_the_best_possible_score():
    # A corpus whose sections list no questions has an empty question ranking: unanimous first
    # place over the other three must still score 1.0.
    assert fuse({"dense": [4], "sentence": [4], "lexical": [4], "question": []}, k=10) == [
        (4, pytest.approx(1.0))
    ]


def test_corpus_files_have_a_title_and_sections():
    corpus = Path(__file__).resolve().parent.parent / "knowledge" / "corpus"
    files = sorted(corpus.glob("*.md"))
    assert files, "knowledge/corpus is empty"
    for path in files:
        chunks = chunk_document(read_document(path, path.name))
        assert chunks, path.name
        assert all(c.section and c.title for c in chunks), path.name
