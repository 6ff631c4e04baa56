"""What the knowledge base hands back: retrieved passages with their citation, and indexing reports.

Plain pydantic models, cheap to import: the agent and the UI use them without loading the index.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Passage(BaseModel):
    """One retrieved chunk and where it came from, enough to cite it."""

    id: str = Field(description="Stable chunk id: hash of source, section and ordinal.")
    source: str = Field(
        description="File the chunk came from: 'pillars.md' for the corpus, "
        "'documents/<path>' for a user's own document."
    )
    title: str = Field(description="Title of the document (its '# ' heading, or the file name).")
    section: str = Field(description="The '## ' section heading (or 'page N' for a PDF).")
    snippet: str = Field(description="The chunk's text.")
    score: float = Field(
        description="Fused rank score, 1.0 = ranked first by both the dense and the lexical search."
    )
    similarity: float = Field(0.0, description="Cosine similarity of the chunk to the query.")


class RetrievalResult(BaseModel):
    """The answer to one search: passages best first, or ``no_guidance`` when nothing is relevant."""

    query: str = Field(description="The query as searched (normalised and truncated).")
    passages: list[Passage] = Field(default_factory=list)
    no_guidance: bool = Field(
        description="True when nothing in the corpus clears the relevance floor; passages is empty."
    )
    message: str = Field("", description="Why there is no guidance, or a note on the query.")
    best_similarity: float = Field(
        0.0, description="Cosine similarity of the closest chunk, compared with the relevance floor."
    )


class SkippedFile(BaseModel):
    """A document that could not be indexed, and why, in words a person can act on."""

    source: str
    reason: str


class IndexReport(BaseModel):
    """What one ``ensure_index`` run did."""

    added: list[str] = Field(default_factory=list, description="Sources indexed for the first time.")
    updated: list[str] = Field(default_factory=list, description="Sources re-embedded: content changed.")
    removed: list[str] = Field(default_factory=list, description="Sources whose file disappeared.")
    unchanged: int = Field(0, description="Sources whose content hash matched the index.")
    skipped: list[SkippedFile] = Field(default_factory=list)
    embedded_chunks: int = Field(0, description="Chunks embedded in this run.")
    total_chunks: int = Field(0, description="Chunks in the index after the run.")
    rebuilt: bool = Field(False, description="The whole index was rebuilt from scratch.")
    messages: list[str] = Field(default_factory=list, description="Notes: rebuilds and their cause.")
    duration_s: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)

    def summary(self) -> str:
        """One line for a person: what changed and how big the index is."""
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.removed)} removed",
            f"{self.unchanged} unchanged",
            f"{len(self.skipped)} skipped",
        ]
        return (
            f"{', '.join(parts)}; {self.embedded_chunks} chunks embedded, "
            f"{self.total_chunks} in the index ({self.duration_s:.1f} s)"
        )
