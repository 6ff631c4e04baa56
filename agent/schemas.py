"""The shapes the advisor hands to its callers (the UI, the HTTP API, the CLI): one response per turn,
the events of a streamed turn, and views of stored sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """A corpus passage the answer cites as ``[n]``."""

    n: int = Field(ge=1)
    source: str
    title: str
    section: str
    snippet: str
    score: float


class ToolCallRecord(BaseModel):
    """One calculator or retrieval call made during the turn, with a one-line summary of its result."""

    name: str
    arguments: dict
    summary: str


class AdvisorResponse(BaseModel):
    """The outcome of one turn: the Markdown answer plus everything it was built from."""

    session_id: str
    answer: str = Field(description="Markdown; recommendation first.")
    scenario: dict = Field(description="The session's scenario after this turn (JSON).")
    results: dict | None = Field(
        None, description="Structured results of the turn: 'tco' (latest TcoResult JSON), 'sensitivity', ..."
    )
    citations: list[Citation] = Field(default_factory=list)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    notices: list[str] = Field(
        default_factory=list,
        description="Things the caller should know, e.g. the LLM endpoint was unreachable.",
    )
    brain: Literal["offline", "llm"] = "offline"


class AdvisorEvent(BaseModel):
    """One step of a streamed turn. The last event of a turn has kind 'answer' and carries the response."""

    kind: Literal["tool_call", "tool_result", "notice", "answer"]
    name: str | None = Field(None, description="Tool name for tool_call / tool_result.")
    arguments: dict | None = None
    summary: str | None = None
    response: AdvisorResponse | None = None


class ChatTurn(BaseModel):
    """One visible message of a conversation."""

    role: Literal["user", "assistant"]
    content: str


class SessionView(BaseModel):
    """A stored conversation: its visible history, current scenario and latest results."""

    session_id: str
    history: list[ChatTurn]
    scenario: dict
    results: dict | None = None
    citations: list[Citation] = Field(default_factory=list)


class SessionSummary(BaseModel):
    """A line of the session list."""

    session_id: str
    title: str = Field(description="The first user message, shortened.")
    turns: int = Field(ge=0, description="Number of user messages.")
    updated_at: datetime | None = None
