"""The advisor agent: one LangGraph loop, the offline brain, the LLM brain and the grounding check.

``import agent`` stays light (no torch, no gradio): the names below load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.advisor import Advisor as Advisor
    from agent.schemas import AdvisorEvent as AdvisorEvent
    from agent.schemas import AdvisorResponse as AdvisorResponse
    from agent.schemas import ChatTurn as ChatTurn
    from agent.schemas import Citation as Citation
    from agent.schemas import SessionSummary as SessionSummary
    from agent.schemas import SessionView as SessionView
    from agent.schemas import ToolCallRecord as ToolCallRecord

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
