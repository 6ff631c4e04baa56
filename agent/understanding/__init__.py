"""Understanding stakeholders without a language model: intents, quantities, names, pillar
signals and references to earlier turns, from one chat message. Imports neither gradio, chromadb
nor torch; the name catalogue comes from ``tools`` on first use."""

from .core import MAX_CHARS, understand
from .model import (
    INTENT_IDS,
    KIND_UNITS,
    PILLAR_IDS,
    ConversationContext,
    IntentScore,
    NameMatch,
    PillarSignal,
    Quantity,
    Reference,
    Span,
    Understanding,
    UnknownName,
)
from .names import CatalogEntry, NameCatalog, default_catalog

__all__ = [
    "INTENT_IDS",
    "KIND_UNITS",
    "MAX_CHARS",
    "PILLAR_IDS",
    "CatalogEntry",
    "ConversationContext",
    "IntentScore",
    "NameCatalog",
    "NameMatch",
    "PillarSignal",
    "Quantity",
    "Reference",
    "Span",
    "Understanding",
    "UnknownName",
    "default_catalog",
    "understand",
]
