"""The typed result of understanding one stakeholder message, and the conversation it sits in."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

IntentId = Literal[
    "recommend",
    "compare",
    "break_even",
    "what_if",
    "explain_figure",
    "explain_concept",
    "show_assumptions",
    "change_assumption",
    "reset",
    "undo",
    "pillar_answer",
    "risk",
    "greeting_help",
    "off_topic",
]
INTENT_IDS: tuple[str, ...] = IntentId.__args__  # type: ignore[attr-defined]

QuantityKind = Literal[
    "token_volume",  # tokens per period
    "request_volume",  # requests per period
    "tokens_per_request",  # tokens in one request (side: input/output when stated)
    "money",  # an amount of money, per period when stated
    "price_per_token",  # currency per MILLION tokens (side: input/output when stated)
    "gpu_price",  # currency per GPU-hour
    "gpu_count",
    "growth",  # fractional growth per period: 10% a month -> 0.1, doubling every year -> 1.0
    "model_size",  # billions of parameters
    "duration",  # months
    "output_share",  # fraction of tokens that are output
    "relative_change",  # multiplicative factor of a what-if: doubles -> 2, cut by a third -> 0.6667
    "percent",  # a fraction not covered above (cache hit rate, quality bar)
    "latency",  # milliseconds
    "headcount",  # people
    "number",  # a bare scaled number ("5M", "14,600") whose unit the message does not say
]
Period = Literal["second", "hour", "day", "week", "month", "year"]
Currency = Literal["USD", "EUR", "GBP", "INR", "BRL", "CHF", "JPY", "CAD", "AUD"]

#: The unit each kind is normalised to ("{cur}" is replaced by the currency, or "USD" when unsaid).
KIND_UNITS: dict[str, str] = {
    "token_volume": "tokens",
    "request_volume": "requests",
    "tokens_per_request": "tokens/request",
    "money": "{cur}",
    "price_per_token": "{cur}/1M tokens",
    "gpu_price": "{cur}/GPU-hour",
    "gpu_count": "GPUs",
    "growth": "fraction/period",
    "model_size": "B params",
    "duration": "months",
    "output_share": "fraction",
    "relative_change": "factor",
    "percent": "fraction",
    "latency": "ms",
    "headcount": "people",
    "number": "",
}

NameKind = Literal["api_model", "open_model", "gpu"]
PillarId = Literal["regulated", "on_prem", "consistency", "proprietary_data", "jargon", "latency"]
PILLAR_IDS: tuple[str, ...] = PillarId.__args__  # type: ignore[attr-defined]
ReferenceKind = Literal["anaphora", "same_but", "go_back"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(_Frozen):
    """Where in the (NFKC-normalised) message something was found."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class IntentScore(_Frozen):
    intent: IntentId
    confidence: float = Field(ge=0, le=1)
    evidence: str = Field(
        description="The cue that fired: a rule's matched words or 'nearest example: ...'."
    )


class Quantity(_Frozen):
    """One quantity, normalised: ``value`` is in ``unit`` (see ``KIND_UNITS``)."""

    kind: QuantityKind
    value: float
    unit: str
    period: Period | None = None
    currency: Currency | None = Field(None, description="Only when the message states one.")
    side: Literal["input", "output"] | None = Field(
        None, description="For prices and tokens per request."
    )
    low: float | None = Field(None, description="Range ends; value is then their midpoint.")
    high: float | None = None
    approximate: bool = False
    span: Span
    confidence: float = Field(ge=0, le=1)


class NameMatch(_Frozen):
    kind: NameKind
    id: str = Field(
        description="Canonical catalogue id, e.g. 'openai/gpt-4o', 'h100-80gb', 'llama-3-8b'."
    )
    span: Span
    score: float = Field(
        ge=0, le=1, description="1.0 for an exact alias, the fuzzy ratio otherwise."
    )
    alternatives: tuple[str, ...] = Field((), description="Other ids the words could mean.")


class UnknownName(_Frozen):
    """Words that look like a model or GPU name but match nothing in the catalogue."""

    span: Span
    suggestions: tuple[str, ...] = ()


class PillarSignal(_Frozen):
    pillar: PillarId
    value: bool = Field(
        description="True: the pillar applies (regulated...); False: stated not to."
    )
    span: Span
    confidence: float = Field(ge=0, le=1)
    inferred: bool = Field(
        False,
        description="True when only an industry named suggests it ('we're a bank', 'at the "
        "hospital here') and no regulation or rule is stated.",
    )


class Reference(_Frozen):
    kind: ReferenceKind
    span: Span
    resolved_to: str | None = Field(
        None, description="What the context says it points at, if known."
    )


class Understanding(_Frozen):
    """Everything extracted from one message. Deterministic: the same input gives the same object."""

    message: str = Field(description="The message after NFKC normalisation; spans index into it.")
    intents: tuple[IntentScore, ...]
    quantities: tuple[Quantity, ...] = ()
    names: tuple[NameMatch, ...] = ()
    unknown_names: tuple[UnknownName, ...] = ()
    pillars: tuple[PillarSignal, ...] = ()
    references: tuple[Reference, ...] = ()
    is_question: bool = False

    @property
    def intent_ids(self) -> tuple[str, ...]:
        return tuple(i.intent for i in self.intents)

    @property
    def primary_intent(self) -> str:
        return max(self.intents, key=lambda i: i.confidence).intent

    def quantities_of(self, kind: str) -> tuple[Quantity, ...]:
        return tuple(q for q in self.quantities if q.kind == kind)


class ConversationContext(_Frozen):
    """What the conversation so far tells the parser: earlier understandings and the scenario
    fields last touched, so "it", "that" and "the same but..." can be pointed at something."""

    previous: tuple[Understanding, ...] = ()
    last_scenario_fields: tuple[str, ...] = Field(
        (), description="Dotted scenario paths changed last."
    )
    last_topic: str | None = Field(None, description="What the last answer was about, e.g. 'tco'.")

    def with_turn(self, understanding: Understanding, keep: int = 10) -> ConversationContext:
        return self.model_copy(update={"previous": (*self.previous, understanding)[-keep:]})
