"""The knowledge base as agent tools: a LangChain tool and a LlamaIndex retriever over
``KnowledgeBase.search``, both returning passages with their citations."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from knowledge.base import KnowledgeBase
from knowledge.models import RetrievalResult

TOOL_NAME = "search_knowledge"


class SearchKnowledgeInput(BaseModel):
    """Arguments of the knowledge search tool."""

    query: str = Field(
        description="The question or topic in plain words, e.g. 'hidden costs of annotation' or "
        "'when is fine-tuning justified for a specialised legal domain'.",
        max_length=2_000,
    )
    k: int = Field(4, ge=1, le=8, description="How many passages to return (1-8).")


def format_result(result: RetrievalResult) -> str:
    """The search result as text for a language model: numbered passages with their citation."""
    if result.no_guidance:
        return f"NO GUIDANCE: {result.message or 'the knowledge base has nothing on this.'}"
    blocks = [
        f"[{n}] {p.title} — {p.section} ({p.source})\n{p.snippet}"
        for n, p in enumerate(result.passages, 1)
    ]
    return "\n\n".join(blocks)


def retriever_tool(kb: KnowledgeBase) -> BaseTool:
    """A LangChain tool that searches the knowledge base.

    Its content is the passages as numbered text ``[n] title — section (source)`` for the model;
    its artifact (``ToolMessage.artifact`` when invoked with a tool call) is the
    ``RetrievalResult``, from which the caller builds citations.
    """

    def search_knowledge(query: str, k: int = 4) -> tuple[str, RetrievalResult]:
        result = kb.search(query, k=k)
        return format_result(result), result

    return StructuredTool.from_function(
        func=search_knowledge,
        name=TOOL_NAME,
        description=(
            "Search the advisor's knowledge base: the analysis of fine-tuning's hidden costs "
            "(data preparation, compute, operations), the four pillars that say when fine-tuning "
            "is justified, the pragmatic pathway, the calculators' methodology notes, a glossary, "
            "and documents the user uploaded. Returns numbered passages, each with its title, "
            "section and source file to cite; or 'NO GUIDANCE' when nothing relevant is there, in "
            "which case say so rather than guess."
        ),
        args_schema=SearchKnowledgeInput,
        response_format="content_and_artifact",
    )


def llamaindex_retriever(kb: KnowledgeBase, k: int = 4) -> Any:
    """A LlamaIndex ``BaseRetriever`` over the same search; nodes carry the citation metadata."""
    from llama_index.core.base.base_retriever import BaseRetriever
    from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

    class KnowledgeRetriever(BaseRetriever):
        def __init__(self, kb: KnowledgeBase, k: int):
            super().__init__()
            self.kb = kb
            self.k = k

        def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
            result = self.kb.search(query_bundle.query_str, k=self.k)
            return [
                NodeWithScore(
                    node=TextNode(
                        id_=p.id,
                        text=p.snippet,
                        metadata={"source": p.source, "title": p.title, "section": p.section},
                    ),
                    score=p.score,
                )
                for p in result.passages
            ]

    return KnowledgeRetriever(kb, k)
