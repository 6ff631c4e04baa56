"""The four-pillar verdict: from answers on task specificity, data, deployment constraints and the
TCO comparison, a step on the pragmatic pathway (prompting, RAG, LoRA pilot, fine-tune, domain base
model), each reason tied to its pillar, and the single changes that would alter the advice.

The pillars and the pathway follow the pragmatic analysis (shared/seeds/000_9577ea5ee844e0b7.txt);
its figures (the API-spend scale, the ~90% prompting test, LoRA's 80-90% of full gains) live in
tools/data/verdict.yaml.

>>> v = decide_verdict(VerdictInput(
...     task=TaskSpecificity(domain="general", prompting_reaches_target="yes"),
...     data=DataAndConsistency(proprietary_data="none", consistency="variety_ok"),
...     constraints=DeploymentConstraints(),
... ))
>>> v.recommendation, v.suggested_path
('prompting', 'api')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from pydantic import Field, field_validator, model_validator

from tools.common import Assumption, Frozen, Sourced, load_data_file

# The same path ids as tools/tco.py; kept here so the verdict does not depend on its types.
PathId = Literal["api", "api_rag", "vendor_finetune", "self_hosted_lora", "self_hosted_full"]
ADAPTATION_PATHS: tuple[PathId, ...] = ("vendor_finetune", "self_hosted_lora", "self_hosted_full")
API_PATHS: tuple[PathId, ...] = ("api", "api_rag")

Recommendation = Literal["prompting", "rag", "lora_pilot", "fine_tune", "domain_base_model"]
Leaning = Literal["api", "rag", "adapt", "neutral"]

PILLAR_NAMES = {
    1: "Task specificity vs general capability",
    2: "Data moat and consistency requirements",
    3: "Latency and privacy",
    4: "Total cost of ownership vs API",
}

RECOMMENDATION_TEXT: dict[Recommendation, str] = {
    "prompting": "stay on the base-model API and invest in better prompting",
    "rag": "add retrieval (RAG) over your own knowledge before any retraining",
    "lora_pilot": "run a LoRA pilot on one contained, high-value use case",
    "fine_tune": "fine-tune",
    "domain_base_model": "start from a domain-specific base model",
}


# ---------------------------------------------------------------------------------------------
# inputs


class TaskSpecificity(Frozen):
    """Pillar 1: how specialised is the task, and how far does prompting get?"""

    domain: Literal["general", "moderately_specialised", "highly_specialised"] = Field(
        description="general (sentiment, marketing copy, summaries); highly_specialised (a jurisdiction's "
        "precedent, a legacy codebase's patterns, jargon absent from general corpora)."
    )
    prompting_reaches_target: Literal["yes", "no", "unknown"] = Field(
        "unknown", description="Does a well-crafted prompt on a strong base model reach ~90% of the desired outcome?"
    )
    rag_already_tried: bool = Field(False, description="Retrieval over your knowledge base was tried and fell short.")
    domain_base_model_available: bool = Field(
        False, description="A domain-specific base model exists for this field (e.g. code, biology, law)."
    )


class DataAndConsistency(Frozen):
    """Pillar 2: is the data a defensible asset, and must outputs be consistent?"""

    proprietary_data: Literal["none", "some", "defensible_moat"] = Field(
        description="defensible_moat: a unique dataset that is a competitive advantage (decades of research, "
        "unique interaction logs)."
    )
    data_mostly_public: bool = Field(False, description="The knowledge the task needs is largely public.")
    consistency: Literal["variety_ok", "consistent", "deterministic"] = Field(
        "variety_ok", description="deterministic: rules must be followed every time (diagnostic aid, compliance checker)."
    )


class DeploymentConstraints(Frozen):
    """Pillar 3: where may data go, and how fast must answers come?"""

    regulated_industry: bool = Field(False, description="Healthcare, finance, government and similar.")
    data_must_stay_on_prem: bool = Field(False, description="Data may not leave your own infrastructure.")
    realtime_latency_required: bool = Field(False, description="Synchronous, real-time answers are needed.")
    vendor_privacy_terms_acceptable: bool = Field(
        True, description="A vendor's contractual data-privacy terms (e.g. Azure OpenAI's) satisfy your compliance team."
    )


class TcoSummary(Frozen):
    """Pillar 4, as plain numbers: each path's total over the horizon and today's monthly API spend."""

    totals_by_path: dict[PathId, float] = Field(description="Total cost over the horizon per path id, USD.")
    monthly_api_spend: float = Field(ge=0, description="Today's API bill, USD per month.")
    horizon_months: int = Field(36, ge=1, le=120)
    task_stable: bool = Field(True, description="The task is stable enough that a trained model will not go stale fast.")

    @field_validator("totals_by_path")
    @classmethod
    def _finite_non_negative(cls, totals: dict[str, float]) -> dict[str, float]:
        for path, total in totals.items():
            if not math.isfinite(total) or total < 0:
                raise ValueError(f"total of {path!r} must be a finite amount >= 0, got {total!r}")
        return totals

    @field_validator("monthly_api_spend")
    @classmethod
    def _finite_spend(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite amount")
        return v

    @model_validator(mode="after")
    def _has_api_and_an_adaptation_path(self) -> TcoSummary:
        if "api" not in self.totals_by_path:
            raise ValueError("totals_by_path must include the 'api' baseline")
        if not any(p in self.totals_by_path for p in ADAPTATION_PATHS):
            raise ValueError(f"totals_by_path must include at least one of {', '.join(ADAPTATION_PATHS)}")
        return self


class VerdictInput(Frozen):
    task: TaskSpecificity
    data: DataAndConsistency
    constraints: DeploymentConstraints
    tco: TcoSummary | None = Field(None, description="Omit when the TCO has not been computed yet.")


# ---------------------------------------------------------------------------------------------
# output


class PillarReason(Frozen):
    pillar: int = Field(ge=1, le=4)
    pillar_name: str
    finding: str
    leans: Leaning = Field(description="api: prompting suffices; rag: retrieval; adapt: toward fine-tuning.")


class Verdict(Frozen):
    recommendation: Recommendation
    headline: str
    deployment: Literal["vendor_api", "self_hosted"]
    fine_tune_route: Literal["self_hosted", "vendor"] | None = None
    suggested_path: PathId | None = Field(None, description="The TCO path that matches the advice, if one does.")
    reasons: tuple[PillarReason, ...]
    what_would_change: tuple[str, ...]
    assumptions: tuple[Assumption, ...]


# ---------------------------------------------------------------------------------------------
# figures


@cache
def _figures() -> dict[str, Sourced]:
    return {k: Sourced.model_validate(v) for k, v in load_data_file("verdict.yaml").items()}


def verdict_figure(name: str) -> Sourced:
    """A figure of tools/data/verdict.yaml, e.g. 'api_spend_at_scale'."""
    return _figures()[name]


# ---------------------------------------------------------------------------------------------
# the decision, over a flat record of signals (so single changes can be tried one at a time)


@dataclass(frozen=True)
class _Signals:
    domain: str
    prompting: str
    rag_tried: bool
    domain_base: bool
    proprietary: str
    data_public: bool
    consistency: str
    regulated: bool
    on_prem_required: bool
    realtime: bool
    vendor_privacy_ok: bool
    # pillar 4; None when no TCO was given
    spend_at_scale: bool | None
    adaptation_cheapest: bool | None
    vendor_cheapest_adaptation: bool | None
    task_stable: bool | None

    @property
    def must_self_host(self) -> bool:
        return self.on_prem_required or (self.regulated and not self.vendor_privacy_ok)

    @property
    def p1_for(self) -> bool:
        return self.domain == "highly_specialised" or self.prompting == "no"

    @property
    def p1_against(self) -> bool:
        return self.domain == "general" and self.prompting != "no"

    @property
    def p2_for(self) -> bool:
        moat = self.proprietary == "defensible_moat"
        rules = self.consistency == "deterministic" and self.proprietary != "none"
        return (moat or rules) and not self.data_public

    @property
    def cost_case(self) -> bool:
        return bool(self.spend_at_scale and self.adaptation_cheapest and self.task_stable)


def _decide(s: _Signals) -> Recommendation:
    """The pragmatic pathway: prompting and RAG first, then a LoRA pilot, and a full programme only
    when capability and cost agree (or regulation rules the API out)."""
    if s.must_self_host:
        # The API is off the table, so the choice is among self-hosted options.
        if s.p1_for and s.p2_for:
            return "fine_tune"
        if s.p1_for or s.p2_for or s.cost_case:
            return "lora_pilot"
        return "rag" if (s.domain != "general" or s.proprietary != "none") else "prompting"
    if s.cost_case and (s.p1_for or s.p2_for):
        return "fine_tune"
    if s.p1_for and s.p2_for:
        return "lora_pilot"
    if s.p1_for:
        if s.domain_base and s.proprietary != "defensible_moat":
            return "domain_base_model"
        return "lora_pilot" if s.rag_tried else "rag"
    if s.p2_for:
        return "lora_pilot" if s.rag_tried else "rag"
    if s.cost_case:
        return "lora_pilot"
    if s.domain == "moderately_specialised" or s.data_public or s.proprietary != "none":
        return "rag"
    return "prompting"


def _signals(inp: VerdictInput) -> _Signals:
    t, d, c, tco = inp.task, inp.data, inp.constraints, inp.tco
    spend = adapt_cheapest = vendor_cheapest = stable = None
    if tco is not None:
        threshold = verdict_figure("api_spend_at_scale").value
        spend = tco.monthly_api_spend >= threshold
        cheapest = min(tco.totals_by_path, key=tco.totals_by_path.__getitem__)
        adapt_cheapest = cheapest in ADAPTATION_PATHS
        vendor_cheapest = cheapest == "vendor_finetune"
        stable = tco.task_stable
    return _Signals(
        domain=t.domain,
        prompting=t.prompting_reaches_target,
        rag_tried=t.rag_already_tried,
        domain_base=t.domain_base_model_available,
        proprietary=d.proprietary_data,
        data_public=d.data_mostly_public,
        consistency=d.consistency,
        regulated=c.regulated_industry,
        on_prem_required=c.data_must_stay_on_prem,
        realtime=c.realtime_latency_required,
        vendor_privacy_ok=c.vendor_privacy_terms_acceptable,
        spend_at_scale=spend,
        adaptation_cheapest=adapt_cheapest,
        vendor_cheapest_adaptation=vendor_cheapest,
        task_stable=stable,
    )


# ---------------------------------------------------------------------------------------------
# reasons


def _usd(x: float) -> str:
    return f"${x:,.0f}"


def _reasons(inp: VerdictInput, s: _Signals) -> list[PillarReason]:
    target = verdict_figure("prompting_target_share").value
    reasons: list[PillarReason] = []

    def add(pillar: int, finding: str, leans: Leaning) -> None:
        reasons.append(PillarReason(pillar=pillar, pillar_name=PILLAR_NAMES[pillar], finding=finding, leans=leans))

    # pillar 1
    if s.prompting == "no":
        add(1, f"A well-built prompt does not reach ~{target:.0%} of the target outcome, so the base model "
            "lacks something the task needs.", "adapt")
    elif s.domain == "highly_specialised":
        add(1, "The task depends on a highly specialised, idiosyncratic domain that general corpora cover "
            "poorly.", "adapt")
    elif s.domain == "general":
        add(1, "A general task: a strong base model with good prompting usually gets there"
            + (f" (you report it reaches ~{target:.0%})." if s.prompting == "yes" else "; check it reaches "
               f"~{target:.0%} on an evaluation set."), "api")
    else:
        add(1, "A moderately specialised task: domain knowledge is needed, which retrieval can usually supply "
            "without retraining.", "rag")

    # pillar 2
    if s.data_public:
        add(2, "The knowledge the task needs is largely public, so it is no moat; retrieval gives the "
            "specificity without retraining.", "rag")
    elif s.p2_for:
        parts = []
        if s.proprietary == "defensible_moat":
            parts.append("your proprietary data is a defensible advantage")
        if s.consistency == "deterministic":
            parts.append("outputs must follow rules deterministically, without a base model's creative variance")
        add(2, "; ".join(parts).capitalize() + ".", "adapt")
    elif s.proprietary == "none":
        add(2, "No proprietary dataset to train on: there is nothing for fine-tuning to capture that a "
            "prompt cannot carry.", "api")
    else:
        add(2, "Some proprietary data, but not a defensible moat"
            + (" and consistency matters: retrieval plus fixed prompts and templates is the cheaper first step."
               if s.consistency != "variety_ok" else "; retrieval can put it in front of the model."), "rag")

    # pillar 3
    if s.must_self_host:
        why = "data must stay on your premises" if s.on_prem_required else (
            "you work in a regulated industry and a vendor's privacy terms are not acceptable")
        add(3, f"The API is ruled out because {why}: a smaller model adapted and served on internal "
            "infrastructure can be both compliant and efficient.", "adapt")
    elif s.regulated:
        add(3, "Regulated, but a vendor's contractual privacy terms are acceptable, so the API remains "
            "an option.", "api")
    elif s.realtime:
        add(3, "Real-time latency is required; a smaller self-hosted model can be faster than calls to a large "
            "external one, but this alone does not justify training.", "neutral")
    else:
        add(3, "No on-premise or hard latency constraint: the API path is open.", "api")

    # pillar 4
    tco = inp.tco
    if tco is None:
        add(4, "TCO not computed yet: the cost gate is still open.", "neutral")
    else:
        threshold = verdict_figure("api_spend_at_scale").value
        totals = tco.totals_by_path
        cheapest = min(totals, key=totals.__getitem__)
        best_api = min((totals[p] for p in API_PATHS if p in totals), default=totals["api"])
        years = tco.horizon_months / 12
        if cheapest in ADAPTATION_PATHS:
            saving = best_api - totals[cheapest]
            text = (f"Over {years:g} years {cheapest} is cheapest at {_usd(totals[cheapest])}, "
                    f"{_usd(saving)} below the best API path.")
            if not s.spend_at_scale:
                text += (f" But today's API spend ({_usd(tco.monthly_api_spend)}/month) is below the "
                         f"{_usd(threshold)}/month scale at which fine-tuning pays off as a cost play, "
                         "so the saving is fragile.")
                leans: Leaning = "neutral"
            elif not s.task_stable:
                text += " The task is not stable, so retraining would eat into the saving."
                leans = "neutral"
            else:
                text += f" API spend ({_usd(tco.monthly_api_spend)}/month) is at the scale where this holds."
                leans = "adapt"
            add(4, text, leans)
        else:
            add(4, f"Over {years:g} years the API side stays cheaper ({cheapest}: {_usd(totals[cheapest])}"
                + (f"; cheapest adaptation path {_usd(min(totals[p] for p in ADAPTATION_PATHS if p in totals))}"
                   ")." if any(p in totals for p in ADAPTATION_PATHS) else ")."), "api")
    return reasons


# ---------------------------------------------------------------------------------------------
# what would change


_CHANGES: dict[str, list[tuple[object, str]]] = {
    "domain": [
        ("general", "the task turned out to be general"),
        ("moderately_specialised", "the task were only moderately specialised"),
        ("highly_specialised", "the task required a highly specialised, idiosyncratic domain"),
    ],
    "prompting": [
        ("yes", "a well-built prompt reached ~90% of the target on an evaluation set"),
        ("no", "a well-built prompt fell short of ~90% of the target on an evaluation set"),
    ],
    "rag_tried": [(True, "retrieval had been tried and fell short")],
    "domain_base": [(True, "a domain-specific base model existed for your field")],
    "proprietary": [
        ("none", "you had no proprietary data"),
        ("defensible_moat", "your proprietary data were a defensible moat"),
    ],
    "data_public": [(True, "the knowledge needed were mostly public"), (False, "the knowledge needed were not public")],
    "consistency": [
        ("deterministic", "outputs had to follow rules deterministically"),
        ("variety_ok", "stylistic variety in outputs were acceptable"),
    ],
    "on_prem_required": [(True, "data had to stay on premises"), (False, "data were allowed to leave your premises")],
    "vendor_privacy_ok": [
        (False, "a vendor's privacy terms were not acceptable"),
        (True, "a vendor's contractual privacy terms were acceptable"),
    ],
    "spend_at_scale": [(True, "API spend reached {threshold}/month"), (False, "API spend fell below {threshold}/month")],
    "adaptation_cheapest": [
        (True, "a fine-tuning path became the cheapest over the horizon"),
        (False, "the API side became the cheapest over the horizon"),
    ],
    "task_stable": [(False, "the task stopped being stable"), (True, "the task became stable")],
}


def _what_would_change(s: _Signals, current: Recommendation) -> list[str]:
    threshold = _usd(verdict_figure("api_spend_at_scale").value)
    out: list[str] = []
    for field_name, options in _CHANGES.items():
        now = getattr(s, field_name)
        if now is None:  # pillar 4 not computed
            continue
        for value, phrase in options:
            if value == now:
                continue
            new = _decide(replace(s, **{field_name: value}))
            if new != current:
                out.append(f"If {phrase.format(threshold=threshold)}: {RECOMMENDATION_TEXT[new]}.")
    if s.spend_at_scale is None:
        out.append("Compute the 3-year TCO: if a fine-tuning path came out cheapest at an API spend of "
                   f"{threshold}/month or more, the cost pillar would argue for adaptation.")
    return out


# ---------------------------------------------------------------------------------------------


def decide_verdict(inp: VerdictInput) -> Verdict:
    """The recommendation along the pragmatic pathway, with reasons per pillar and what would change it."""
    s = _signals(inp)
    rec = _decide(s)
    deployment: Literal["vendor_api", "self_hosted"] = "self_hosted" if s.must_self_host else "vendor_api"

    route: Literal["self_hosted", "vendor"] | None = None
    path: PathId | None
    if rec == "fine_tune":
        route = "self_hosted" if s.must_self_host or not s.vendor_cheapest_adaptation else "vendor"
        if route == "vendor":
            path = "vendor_finetune"
        elif inp.tco is not None:
            totals = inp.tco.totals_by_path
            candidates = [p for p in ("self_hosted_lora", "self_hosted_full") if p in totals]
            path = min(candidates, key=totals.__getitem__) if candidates else "self_hosted_lora"
        else:
            path = "self_hosted_lora"
        deployment = "self_hosted" if route == "self_hosted" else deployment
    elif rec == "lora_pilot":
        path = "self_hosted_lora"
        deployment = "self_hosted"
    elif rec == "domain_base_model":
        path = None
    elif s.must_self_host:
        path = None  # an open base model served in-house; no adaptation path in the TCO matches it
    else:
        path = "api" if rec == "prompting" else "api_rag"

    low = verdict_figure("lora_share_of_full_gains_low").value
    high = verdict_figure("lora_share_of_full_gains_high").value
    in_house = " on an open model served on your own infrastructure, since data may not leave it"
    headline = {
        "prompting": ("Invest in prompt engineering (few-shot, chain-of-thought)" + in_house + ", and measure it."
                      if s.must_self_host else
                      "Stay on the API: invest in prompt engineering (few-shot, chain-of-thought) and measure it."),
        "rag": ("Add RAG" + in_house + ": semantic search over your own knowledge gives specificity without "
                "retraining." if s.must_self_host else
                "Add RAG: semantic search over your own knowledge gives specificity without retraining."),
        "lora_pilot": (f"Pilot LoRA on one narrow, high-value workflow: parameter-efficient methods often reach "
                       f"{low:.0%}-{high:.0%} of full fine-tuning's gains at a fraction of the cost; measure the "
                       "quality delta and the savings against the base model before scaling."),
        "fine_tune": ("Fine-tune" + (" and serve it on your own infrastructure" if route == "self_hosted"
                                     else " through the vendor's fine-tuning service")
                      + (": the task and the data need it and the API is ruled out"
                         if s.must_self_host and not s.cost_case else ": capability and cost both point there")
                      + "; start with a LoRA run before any full fine-tune."),
        "domain_base_model": ("Start from a domain-specific base model: it may close the specificity gap with "
                              "less adaptation than a generalist model needs."),
    }[rec]

    used = ["api_spend_at_scale", "prompting_target_share"]
    if rec == "lora_pilot":
        used += ["lora_share_of_full_gains_low", "lora_share_of_full_gains_high"]
    return Verdict(
        recommendation=rec,
        headline=headline,
        deployment=deployment,
        fine_tune_route=route,
        suggested_path=path,
        reasons=tuple(_reasons(inp, s)),
        what_would_change=tuple(_what_would_change(s, rec)),
        assumptions=tuple(verdict_figure(n).assumption(f"verdict.{n}") for n in used),
    )
