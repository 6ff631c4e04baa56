"""Turn files (Markdown, text, PDF, HTML) into Markdown text, then into cited chunks.

Every format is first rewritten as Markdown with a '# Title' line and '## Section' headings, so one
LlamaIndex pipeline (Markdown-aware split, then a size cap) chunks them all alike. A file that
cannot be read raises ``UnreadableDocument`` with a reason a person can act on.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".html", ".htm")
MAX_FILE_BYTES = 20_000_000
# MiniLM reads at most 256 word pieces; a cap in words (plus punctuation) keeps chunks under it.
CHUNK_TOKENS = 200
CHUNK_OVERLAP = 30

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# A section may end with the questions it answers, hidden from readers in an HTML comment:
#   <!-- questions
#   - which of our inputs could flip the answer?
#   -->
# They are embedded and indexed with the section (see knowledge.retrieval) but never shown in a
# snippet. Any other HTML comment is dropped from the text as well.
_QUESTIONS = re.compile(r"<!--\s*questions\b(.*?)-->", re.DOTALL | re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
MAX_QUESTIONS_PER_SECTION = 20


class UnreadableDocument(ValueError):
    """A file that cannot be indexed: binary, empty, malformed or an unreadable PDF."""


@dataclass(frozen=True)
class SourceDocument:
    """A file read and rewritten as Markdown."""

    source: str
    title: str
    markdown: str
    content_hash: str


@dataclass(frozen=True)
class Chunk:
    """One piece of a document, with the metadata a citation needs."""

    id: str
    source: str
    title: str
    section: str
    text: str
    content_hash: str
    questions: tuple[str, ...] = ()  # the section's questions, carried by its first chunk

    def metadata(self) -> dict[str, str]:
        return {
            "kind": "chunk",
            "source": self.source,
            "title": self.title,
            "section": self.section,
            "content_hash": self.content_hash,
        }


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_document(path: Path, source: str) -> SourceDocument:
    """Read one file of a supported type as Markdown; raise ``UnreadableDocument`` if it can't be."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableDocument(
            f"unsupported file type {suffix or '(none)'}; use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableDocument(f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    if not data.strip():
        raise UnreadableDocument("file is empty")
    if suffix == ".pdf":
        title, markdown = _pdf_to_markdown(data, path.stem)
    else:
        text = _decode_text(data)
        if suffix in (".html", ".htm"):
            title, markdown = _html_to_markdown(text, path.stem)
        elif suffix == ".txt":
            title, markdown = path.stem, f"# {path.stem}\n\n{text}"
        else:
            title, markdown = _markdown_title(text, path.stem)
    if not _body_text(markdown):
        raise UnreadableDocument("no text to index once headings are removed")
    return SourceDocument(source, title, markdown, content_hash(data))


def _decode_text(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise UnreadableDocument("looks like a binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"not valid UTF-8 text (byte {exc.start})") from exc


def _markdown_title(text: str, fallback: str) -> tuple[str, str]:
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1:
            return match.group(2).strip(), text
        if line.strip():
            break
    return fallback, f"# {fallback}\n\n{text}"


def _body_text(markdown: str) -> str:
    return "".join(line for line in markdown.splitlines() if not _HEADING.match(line)).strip()


def _pdf_to_markdown(data: bytes, fallback: str) -> tuple[str, str]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str((reader.metadata or {}).get("/Title") or "").strip() or fallback
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise UnreadableDocument(f"unreadable PDF: {exc}") from exc
    if not any(p.strip() for p in pages):
        raise UnreadableDocument("the PDF has no extractable text (a scan? run OCR first)")
    body = "\n\n".join(f"## page {n}\n\n{p.strip()}" for n, p in enumerate(pages, 1) if p.strip())
    return title, f"# {title}\n\n{body}"


def _html_to_markdown(text: str, fallback: str) -> tuple[str, str]:
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    title_tag = soup.find("title")
    first_h1 = soup.find("h1")
    title = (
        (title_tag.get_text(" ", strip=True) if title_tag else "")
        or (first_h1.get_text(" ", strip=True) if first_h1 else "")
        or fallback
    )
    if title_tag:
        title_tag.decompose()
    for tag in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        level = int(tag.name[1])
        tag.replace_with(NavigableString(f"\n\n{'#' * level} {tag.get_text(' ', strip=True)}\n\n"))
    for tag in soup.find_all(["p", "li", "div", "br", "tr", "pre"]):
        tag.insert_after(NavigableString("\n"))
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in soup.get_text().splitlines()]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not body.startswith("# "):
        body = f"# {title}\n\n{body}"
    return title, body


def _word_tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


def chunk_document(doc: SourceDocument) -> list[Chunk]:
    """Split by Markdown headings (LlamaIndex MarkdownNodeParser), then cap each piece's size.

    The section of a chunk is its '## ' heading (deeper headings stay inside the chunk text); text
    before the first '## ' belongs to a section named after the title.
    """
    from llama_index.core import Document
    from llama_index.core.node_parser import MarkdownNodeParser, SentenceSplitter

    nodes = MarkdownNodeParser().get_nodes_from_documents([Document(text=doc.markdown)])
    splitter = SentenceSplitter(
        chunk_size=CHUNK_TOKENS, chunk_overlap=CHUNK_OVERLAP, tokenizer=_word_tokens
    )
    chunks: list[Chunk] = []
    ordinals: dict[str, int] = {}
    for node in nodes:
        text, questions = split_questions(node.get_content())
        section = _section_of(text, node.metadata.get("header_path", "/"), doc.title)
        if not _body_text(text):
            continue  # a heading with nothing under it
        for piece in splitter.split_text(text):
            piece = piece.strip()
            if not piece:
                continue
            ordinal = ordinals.get(section, 0)
            ordinals[section] = ordinal + 1
            key = f"{doc.source}\x00{section}\x00{ordinal}".encode()
            chunk_id = hashlib.sha1(key).hexdigest()[:20]
            chunks.append(
                Chunk(
                    chunk_id, doc.source, doc.title, section, piece, doc.content_hash,
                    questions=questions if ordinal == 0 else (),
                )
            )
    return chunks


def split_questions(text: str) -> tuple[str, tuple[str, ...]]:
    """A section's text without its HTML comments, and the questions its ``<!-- questions`` block
    lists (one per ``- `` line, at most ``MAX_QUESTIONS_PER_SECTION``)."""
    questions: list[str] = []
    for block in _QUESTIONS.findall(text):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("- ") and line[2:].strip():
                questions.append(" ".join(line[2:].split()))
    return _COMMENT.sub("", text).strip(), tuple(questions[:MAX_QUESTIONS_PER_SECTION])


def chunk_sentences(chunk: Chunk) -> list[str]:
    """The chunk's section heading and its sentences of four words or more.

    MiniLM was trained on sentence pairs: a terse question often matches one sentence of a section
    far better than the whole chunk, so each sentence is embedded as well (see knowledge.retrieval).
    """
    body = " ".join(line for line in chunk.text.splitlines() if not _HEADING.match(line))
    found = [s for s in re.split(r"(?<=[.!?])\s+", " ".join(body.split())) if len(s.split()) >= 4]
    return [chunk.section, *found]


def _section_of(text: str, header_path: str, title: str) -> str:
    """The '## ' heading a node sits under: its own if it starts with one, else its parent's."""
    parents = [p for p in header_path.strip("/").split("/") if p]
    first = text.splitlines()[0] if text else ""
    own = _HEADING.match(first)
    if own and len(own.group(1)) == 2:
        return own.group(2).strip()
    if own and len(own.group(1)) > 2 and len(parents) >= 2:
        return parents[1]  # header_path is '/Title/Section/' for a '###' under a '##'
    if own and len(own.group(1)) > 2 and len(parents) == 1:
        return own.group(2).strip()  # '###' directly under the title
    return title
