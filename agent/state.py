"""The state one conversation keeps in the checkpointer: messages, the session's scenario and the
latest results. Everything is plain JSON so any checkpointer can store it."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


def merge_results(current: dict[str, Any] | None, update: dict[str, Any] | None) -> dict[str, Any]:
    """Tools running side by side each add their result kind; a later result of a kind replaces it."""
    return {**(current or {}), **(update or {})}


class AdvisorState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    scenario: dict[str, Any]
    """The session's scenario as scenario updates on top of the defaults (dotted path → value)."""
    scenario_history: list[dict[str, Any]]
    """Earlier scenarios, newest last, for 'go back'."""
    results: Annotated[dict[str, Any], merge_results]
    """Latest structured results by kind ('tco', 'sensitivity', 'monte_carlo', 'verdict', ...)."""
    citations: list[dict[str, Any]]
    notices: list[str]
    """Notices of the current turn (reset by each new message)."""
    brain: str
    """'llm' while the configured chat model drives the turn, 'offline' once it fell back."""
    steps: int
    """Brain calls in the current turn, to bound the loop."""
