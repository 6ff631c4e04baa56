"""The advisor agent: one LangGraph loop, the offline brain, the LLM brain and the grounding check.

``import agent`` stays light (no torch, no gradio): the names below load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.advisor import Advisor
    from agent.schemas import (
        AdvisorEvent,
        AdvisorResponse,
        ChatTurn,
        Citation,
        SessionSummary,
        SessionView,
        ToolCallRecord,
    )

_EXPORTS = {
    "Advisor": "agent.advisor",
    "AdvisorEvent": "agent.schemas",
    "AdvisorResponse": "agent.schemas",
    "ChatTurn": "agent.schemas",
    "Citation": "agent.schemas",
    "SessionSummary": "agent.schemas",
    "SessionView": "agent.schemas",
    "ToolCallRecord": "agent.schemas",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'agent' has no attribute {name!r}")
