"""The offline brain: a deterministic LangChain chat model that needs no download and no key.

It reads the turn's message with ``agent.understanding.understand`` (plus the earlier messages as
context), emits tool calls with the arguments that message implies, and once the results are in,
composes the Markdown answer from them alone: recommendation first, a table of path totals, the
break-even, the drivers, the assumptions, numbered citations, and at most one question.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from agent import format as fmt
from agent.graph import OFFLINE_NAME, turn_start

ANALYSIS_INTENTS = {
    "recommend", "compare", "break_even", "what_if", "explain_figure", "change_assumption",
    "pillar_answer", "risk", "show_assumptions",
}  # fmt: skip

SCOPE = (
    "I advise on one question: should your organisation fine-tune a custom LLM or stay on a "
    "base-model API? I compute a three-year cost of ownership for five paths (API with prompting, API "
    "with RAG, vendor fine-tuning, self-hosted LoRA, self-hosted full fine-tune), the break-even, "
    "what drives it, and a verdict on the four pillars (task specificity, data moat, "
    "latency/privacy, cost), citing the guidance I rely on."
)
EXAMPLES = (
    "Try: *\"We spend forty thousand dollars a month on GPT-4o for support triage; should we "
    "fine-tune?\"*, *\"What if volume doubles?\"*, *\"And with H100s at two dollars an hour?\"*, "
    "*\"What is LoRA?\"*"
)

RANGE_NOTE = ("I used the middle of your range for the table and the whole range in the risk analysis "
              "(ask \"how risky is this?\").")
_DAYS_PER_MONTH = 365.0 / 12.0
_PERIOD_PER_MONTH = {"second": _DAYS_PER_MONTH * 86_400, "hour": _DAYS_PER_MONTH * 24, "day": _DAYS_PER_MONTH,
                     "week": _DAYS_PER_MONTH / 7.0, "month": 1.0, "year": 1.0 / 12.0}


_FOLLOW_UP = re.compile(r"\b(drives?|drivers?|sensitiv\w*|matters?|risk\w*|uncertain\w*|why)\b")


@dataclass
class Plan:
    """What the turn needs: the scenario changes, the tools, and what the answer must say."""

    kind: str  # "analysis", "concept", "assumptions", "offtopic", "help", "unclear", "empty"
    changes: list[dict] = field(default_factory=list)
    revert: str | None = None
    verdict_args: dict = field(default_factory=dict)
    query: str = ""
    risk: bool = False
    notes: list[str] = field(default_factory=list)
    question: str | None = None
    training: dict | None = None
    price_lookups: list[tuple[str, str]] = field(default_factory=list)
    explain_paths: list[str] = field(default_factory=list)


class OfflineBrain(BaseChatModel):
    """Deterministic brain: the same conversation always gives the same tool calls and answer."""

    @property
    def _llm_type(self) -> str:
        return "advisor-offline"

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        message = self.decide(messages, force_answer=bool(kwargs.get("force_answer")))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def decide(self, messages: Sequence[BaseMessage], *, force_answer: bool = False) -> AIMessage:
        start = turn_start(messages)
        human = messages[start] if messages and isinstance(messages[start], HumanMessage) else None
        text = human.content if human is not None and isinstance(human.content, str) else ""
        plan = plan_turn(text, _previous_texts(messages[:start]))
        turn = list(messages[start + 1 :])
        results = _results(turn)
        own_steps = sum(1 for m in turn if isinstance(m, AIMessage) and m.name == OFFLINE_NAME and m.tool_calls)
        if own_steps == 0 and _scenario_changed_by_another_brain(turn):
            # Taking over from a failed LLM that already applied the change: never apply it twice.
            plan.changes, plan.revert = [], None
        calls = [] if force_answer else _next_calls(plan, own_steps, results)
        if calls:
            tool_calls = [
                {"name": name, "args": args, "id": f"offline-{len(turn)}-{i}", "type": "tool_call"}
                for i, (name, args) in enumerate(calls)
            ]
            return AIMessage(content="", tool_calls=tool_calls, name=OFFLINE_NAME)
        return AIMessage(content=compose_answer(plan, results), name=OFFLINE_NAME)


# --- reading the conversation ------------------------------------------------------------------


def _previous_texts(messages: Sequence[BaseMessage], keep: int = 6) -> list[str]:
    texts = [m.content for m in messages if isinstance(m, HumanMessage) and isinstance(m.content, str)]
    return texts[-keep:]


@lru_cache(maxsize=512)
def _understand_cached(text: str, previous: tuple[str, ...]):
    return _understand(text, list(previous))


#: Earlier messages as read in their own context, by the conversation up to and including them:
#: each turn then parses one new message, not the whole conversation again.
_EARLIER: dict[tuple[str, ...], object] = {}
_EARLIER_MAX = 4096


def _understand(text: str, previous: list[str]):
    from agent.understanding import ConversationContext, understand

    context = ConversationContext()
    for k, earlier in enumerate(previous):
        key = tuple(previous[: k + 1])
        u = _EARLIER.get(key)
        if u is None:
            try:
                u = understand(earlier[:4000], context)
            except Exception:  # noqa: BLE001 - an earlier message the parser cannot read adds no context
                u = False
            if len(_EARLIER) >= _EARLIER_MAX:
                _EARLIER.clear()
            _EARLIER[key] = u
        if u is not False:
            context = context.with_turn(u)
    return understand(text, context)


# What a bare number ("make it 5M", "what if it were 20M?") can stand for: the one amount of these
# kinds that the conversation's latest message with an amount stated.
_BARE_NUMBER_KINDS = ("token_volume", "request_volume", "tokens_per_request", "money")


def _bare_numbers_in_context(u, previous: list[str], plan: Plan):
    """Give the message's bare numbers the kind, period and currency of the amount they replace.

    "We use 2M tokens a day" then "make it 5M": 5M is 5M tokens a day. Only when the message states
    no other amount and the latest earlier message with an amount stated exactly one kind of them;
    otherwise the number is left out and the answer says how to state it.
    """
    from agent.understanding import KIND_UNITS

    numbers = u.quantities_of("number")
    if not numbers or len(numbers) != len(u.quantities):
        return u
    earlier = None
    for back in range(len(previous) - 1, -1, -1):
        try:
            found = _understand_cached(previous[back].strip(), tuple(previous[:back]))
        except Exception:  # noqa: BLE001, S112 - an unreadable earlier message gives no context
            continue
        stated = [q for q in found.quantities if q.kind in _BARE_NUMBER_KINDS]
        if stated:
            earlier = stated
            break
    shown = ", ".join(q.span.text for q in numbers)
    if earlier is None or len({q.kind for q in earlier}) != 1:
        plan.notes.append(
            f"I could not tell what **{shown}** refers to, so I left it out: say it with its unit, "
            f"e.g. \"{numbers[0].span.text} tokens a month\" or \"${numbers[0].span.text} a month\"."
        )
        return u.model_copy(update={"quantities": ()})
    model = earlier[-1]
    read = [
        q.model_copy(update={"kind": model.kind, "unit": KIND_UNITS[model.kind], "period": model.period,
                             "currency": model.currency, "side": model.side})
        for q in numbers
    ]
    plan.notes.append(f"I read **{shown}** as the same kind of amount as your earlier "
                      f"**{model.span.text}**.")
    return u.model_copy(update={"quantities": tuple(read)})


def _near(text: str, start: int, end: int, words: Sequence[str], before: int = 30, after: int = 40) -> bool:
    window = text[max(0, start - before) : end + after].lower()
    return any(w in window for w in words)


def plan_turn(text: str, previous: list[str]) -> Plan:
    """Decide what the turn needs from the message and the conversation so far."""
    stripped = text.strip()
    if not stripped:
        return Plan(kind="empty")
    try:
        u = _understand_cached(stripped, tuple(previous))  # a turn asks 2-3 times; parsing is pure
    except Exception:  # noqa: BLE001 - the parser must never take the turn down with it
        return Plan(kind="unclear")
    msg = u.message
    lower = msg.lower()
    intents = set(u.intent_ids)
    primary = u.primary_intent
    confidence = max((i.confidence for i in u.intents), default=0.0)
    has_facts = bool(u.quantities or u.names or u.pillars)

    training = _training_request(u, lower)
    if training is not None:
        return Plan(kind="training", training=training)
    lookups = _price_request(u, lower)
    if lookups:
        return Plan(kind="price", price_lookups=lookups)
    if primary == "reset" and confidence >= 0.5:
        return Plan(kind="analysis", revert="reset", query="total cost of ownership API versus fine-tuning")
    if primary == "undo" and confidence >= 0.5 or any(r.kind == "go_back" for r in u.references):
        return Plan(kind="analysis", revert="undo", query="total cost of ownership API versus fine-tuning")
    if primary == "off_topic" and not has_facts and previous and _FOLLOW_UP.search(lower):
        intents.add("risk")  # "what drives that?" after an analysis: the sensitivity, not off-topic
        primary = "risk"
    if primary == "off_topic" and not has_facts:
        return Plan(kind="offtopic")
    if primary == "greeting_help" and not has_facts and confidence >= 0.3:  # not a 0.08 guess at "asdf qwer"
        return Plan(kind="help")
    if primary == "explain_concept" and not u.quantities:
        return Plan(kind="concept", query=msg[:500])
    if not has_facts and (confidence < 0.3 or not (intents & ANALYSIS_INTENTS) and confidence < 0.5):
        return Plan(kind="unclear")  # the parser is guessing and there is nothing to compute

    plan = Plan(kind="assumptions" if primary == "show_assumptions" else "analysis")
    plan.risk = "risk" in intents
    if "explain_figure" in intents:
        plan.explain_paths = _paths_named(lower)
    u = _bare_numbers_in_context(u, previous, plan)
    _read_quantities(u, msg, lower, plan)
    _read_names(u, lower, plan)
    _read_pillars(u, plan)
    if re.search(r"\bq-?lora\b", lower):
        plan.changes.append({"field": "self_hosted.lora_method", "op": "set", "value": "qlora"})
    elif re.search(r"\blora\b", lower) and (
        plan.changes or "what_if" in intents or any(r.kind == "same_but" for r in u.references)
    ):  # "the same but with LoRA" (after QLoRA) switches the method back
        plan.changes.append({"field": "self_hosted.lora_method", "op": "set", "value": "lora"})
    for unknown in u.unknown_names:
        hint = f" (did you mean {', '.join(unknown.suggestions[:3])}?)" if unknown.suggestions else ""
        plan.notes.append(f"I don't know **{unknown.span.text}**{hint}, so I left it out.")
    plan.query = _retrieval_query(primary, plan, msg)
    return plan


_TRAINING_ASK = re.compile(r"\b(how long|how many gpus?|gpu[- ]hours?|training time|wall[- ]clock|"
                          r"how much memory|size the training|to train)\b")
_PRICE_ASK = re.compile(r"\b(price|prices|priced|cost per|costs? per|per token|per hour|hourly|how much (is|does))\b")
_DECISION_WORDS = re.compile(r"\b(should|fine-?tun\w*|worth|cheaper|switch|we (spend|process|run|use))\b")


_PATH_WORDS = (
    ("self_hosted_full", r"\bfull(y)?\b"), ("self_hosted_lora", r"\b(q?lora|self-?hosted|open model|own gpus?)\b"),
    ("vendor_finetune", r"\bvendor\b"), ("api_rag", r"\brag\b|retrieval"), ("api", r"\bapi\b"),
)  # fmt: skip


def _paths_named(lower: str) -> list[str]:
    named = [path for path, pattern in _PATH_WORDS if re.search(pattern, lower)]
    return named or ["self_hosted_lora", "vendor_finetune"]


def _training_request(u, lower: str) -> dict | None:
    """'How long to LoRA-tune Llama 3 70B on H100s?': size one training run, not the whole TCO."""
    if not _TRAINING_ASK.search(lower):
        return None
    models = [n.id for n in u.names if n.kind == "open_model"]
    if not models:
        sizes = u.quantities_of("model_size")
        model = _open_model_of_size(sizes[-1].value) if sizes else None
        if model is None:
            return None
        models = [model]
    gpus = [n.id for n in u.names if n.kind == "gpu"]
    method = "qlora" if re.search(r"\bq-?lora\b", lower) else "full" if re.search(r"\bfull(y)?\b", lower) else "lora"
    args: dict[str, Any] = {"model": models[-1], "method": method, "gpu": gpus[-1] if gpus else "h100"}
    volumes = [q for q in u.quantities_of("token_volume") if q.period is None]
    if volumes:
        args["training_tokens"] = volumes[-1].value
    prices = u.quantities_of("gpu_price")
    if prices:
        args["gpu_price_per_hour"] = prices[-1].value
    return args


def _price_request(u, lower: str) -> list[tuple[str, str]]:
    """'What does GPT-4o cost per token?' / 'hourly price of an H100?': a sourced price look-up."""
    if not _PRICE_ASK.search(lower) or u.quantities or _DECISION_WORDS.search(lower):
        return []
    return [(n.id, "gpu" if n.kind == "gpu" else "api_model") for n in u.names if n.kind in ("api_model", "gpu")]


def _read_quantities(u, msg: str, lower: str, plan: Plan) -> None:
    requests = list(u.quantities_of("request_volume"))
    per_request = list(u.quantities_of("tokens_per_request"))
    volumes = list(u.quantities_of("token_volume"))
    if volumes:
        # "300M input and 100M output tokens a month": the bare number shares the volume's period
        loose = [*u.quantities_of("number"), *([] if requests else per_request)]
        for q in loose:
            if _near(msg, q.span.start, q.span.end, ("input", "output", "prompt", "completion"), before=0, after=12):
                volumes.append(q.model_copy(update={"kind": "token_volume", "period": volumes[0].period}))
        volumes.sort(key=lambda q: q.span.start)
    changes = plan.changes
    for q in u.quantities:
        if msg[max(0, q.span.start - 1) : q.span.start] in ("-", "\u2212") and q.kind != "relative_change":
            plan.notes.append(f"A negative amount ({msg[q.span.start - 1:q.span.end]}) makes no sense here, "
                              f"so I read it as {q.span.text}.")

    if volumes:
        sided = {}
        for q in volumes:
            side = _side_after(msg, q.span.start, q.span.end)
            if side:
                sided[side] = q
        if "input" in sided and "output" in sided:
            for side, q in sided.items():
                changes.append({"field": f"usage.monthly_{side}_tokens", "op": "set",
                                "value": _per_month(q.value, q.period)})
        else:
            distinct = {round(_per_month(q.value, q.period)) for q in volumes}
            q = volumes[-1]
            changes.append({"field": "usage.monthly_total_tokens", "op": "set", "value": _monthly(q)})
            if isinstance(changes[-1]["value"], dict):
                plan.notes.append(RANGE_NOTE)
            if len(distinct) > 1:
                plan.question = (f"You gave more than one volume ({', '.join(v.span.text for v in volumes)}); "
                                 f"I used **{q.span.text}**. Which one is right?")
    elif requests:
        q = requests[-1]
        per_month = _per_month(q.value, q.period)
        inputs = [p for p in per_request if p.side == "input"]
        outputs = [p for p in per_request if p.side == "output"]
        totals = [p for p in per_request if p.side is None]
        changes.append({"field": "usage.requests_per_month", "op": "set", "value": per_month})
        if inputs and outputs:
            changes.append({"field": "usage.input_tokens_per_request", "op": "set", "value": inputs[-1].value})
            changes.append({"field": "usage.output_tokens_per_request", "op": "set", "value": outputs[-1].value})
        elif totals or inputs or outputs:
            total = (totals or inputs or outputs)[-1].value
            # one figure per request: split it 3:1 input:output (stated as an assumption)
            changes.append({"field": "usage.input_tokens_per_request", "op": "set", "value": total * 0.75})
            changes.append({"field": "usage.output_tokens_per_request", "op": "set", "value": total * 0.25})
            plan.notes.append("I split the tokens per request three to one between input and output.")
        else:
            changes.pop()
            plan.question = "How many tokens does a typical request use (prompt plus answer)?"

    for q in u.quantities_of("money"):
        spendish = _near(msg, q.span.start, q.span.end,
                         ("spend", "bill", "paying", "pay ", "cost us", "costs us", "invoice", "api cost", "on gpt",
                          "on claude", "on openai", "on the api", "budget"))
        if q.period in ("month", "year", "week", "day") and (spendish or not volumes and not requests):
            if volumes or requests:
                plan.notes.append(f"I used your stated volume rather than the spend ({q.span.text}).")
                continue
            changes.append({"field": "usage.monthly_api_spend_usd", "op": "set", "value": _monthly(q)})
            if isinstance(changes[-1]["value"], dict):
                plan.notes.append(RANGE_NOTE)
            if q.currency not in (None, "USD"):
                plan.notes.append(f"I read {q.span.text} as US dollars at par; tell me the rate if that matters.")
            break

    for q in u.quantities_of("price_per_token"):
        side = q.side or ("output" if _near(msg, q.span.start, q.span.end, ("output",)) else "input")
        changes.append({"field": f"api.{side}_price_per_mtok", "op": "set", "value": q.value})

    for q in u.quantities_of("gpu_price"):
        serving = _near(msg, q.span.start, q.span.end, ("serv", "host", "inference"), before=60, after=60)
        slot = "serving" if serving else "training"
        gpu_names = [n for n in u.names if n.kind == "gpu"]
        if gpu_names:
            changes.append({"field": f"self_hosted.{slot}_gpu", "op": "set", "value": gpu_names[-1].id})
        changes.append({"field": f"self_hosted.{slot}_gpu_price_per_hour", "op": "set", "value": q.value})

    for q in u.quantities_of("growth"):
        monthly = (1.0 + q.value) ** (1.0 / 12.0) - 1.0 if q.period == "year" else q.value
        changes.append({"field": "usage.monthly_growth", "op": "set", "value": monthly})

    for q in u.quantities_of("output_share"):
        if 0 < q.value < 1:
            changes.append({"field": "usage.input_output_ratio", "op": "set", "value": (1 - q.value) / q.value})

    for q in u.quantities_of("duration"):
        if _near(msg, q.span.start, q.span.end, ("retrain", "refresh"), before=40, after=10):
            changes.append({"field": "operations.retraining_interval_months", "op": "set", "value": round(q.value)})
        else:  # out of range: the scenario's own validation says so, with the allowed range
            changes.append({"field": "horizon_months", "op": "set", "value": max(0, round(q.value))})

    for q in u.quantities_of("percent"):
        if "cach" in lower:
            changes.append({"field": "api.cached_input_share", "op": "set", "value": q.value})
        elif "batch" in lower:
            changes.append({"field": "api.batch_share", "op": "set", "value": q.value})

    for q in u.quantities_of("model_size"):
        if not any(n.kind == "open_model" for n in u.names):
            model = _open_model_of_size(q.value)
            if model:
                changes.append({"field": "self_hosted.model", "op": "set", "value": model})

    for q in u.quantities_of("relative_change"):
        target = _relative_target(msg, q)
        for f in target:
            changes.append({"field": f, "op": "scale", "value": q.value})


def _side_after(msg: str, start: int, end: int) -> str | None:
    """'input' or 'output', whichever word follows the figure first ("300M input and 100M output")."""
    window = msg[start : end + 25].lower()
    hits = {side: min((window.find(w) for w in words if w in window), default=-1)
            for side, words in (("input", ("input", "prompt")), ("output", ("output", "completion", "generated")))}
    found = {side: pos for side, pos in hits.items() if pos >= 0}
    return min(found, key=found.get) if found else None


def _relative_target(msg: str, q) -> list[str]:
    if _near(msg, q.span.start, q.span.end, ("gpu", "h100", "a100", "l40", "h200", "per hour", "/h", "compute"), 60, 40):
        return ["self_hosted.training_gpu_price_per_hour", "self_hosted.serving_gpu_price_per_hour"]
    if _near(msg, q.span.start, q.span.end, ("api price", "token price", "per token", "prices", "price"), 60, 40):
        return ["api.input_price_per_mtok", "api.output_price_per_mtok"]
    if _near(msg, q.span.start, q.span.end, ("growth",), 40, 20):
        return ["usage.monthly_growth"]
    return ["usage.volume"]


def _per_month(value: float, period: str | None) -> float:
    return float(value) * _PERIOD_PER_MONTH.get(period or "month", 1.0)


def _monthly(q) -> float | dict:
    """A stated amount per month; "between 200M and 400M" stays a range for the Monte Carlo."""
    base = _per_month(q.value, q.period)
    if q.low is not None and q.high is not None and q.low < q.high and q.low <= q.value <= q.high:
        return {"low": _per_month(q.low, q.period), "base": base, "high": _per_month(q.high, q.period)}
    return base


def _open_model_of_size(params_b: float) -> str | None:
    try:
        from tools.compute import list_open_models
    except ImportError:
        return None
    models = list_open_models()
    if not models:
        return None
    best = min(models, key=lambda m: (abs(m.params_b.value - params_b) / max(params_b, 1e-9), m.id))
    return best.id if abs(best.params_b.value - params_b) / max(params_b, 1e-9) < 0.25 else None


def _read_names(u, lower: str, plan: Plan) -> None:
    for name in u.names:
        if name.kind == "api_model":
            plan.changes.append({"field": "api.model", "op": "set", "value": name.id})
        elif name.kind == "open_model":
            plan.changes.append({"field": "self_hosted.model", "op": "set", "value": name.id})
        elif name.kind == "gpu" and not u.quantities_of("gpu_price"):
            slot = "serving" if re.search(r"\b(serv|host|inference)", lower) else "training"
            plan.changes.append({"field": f"self_hosted.{slot}_gpu", "op": "set", "value": name.id})
    # the same field set twice in one message: the last statement wins
    seen: dict[str, int] = {}
    for i, c in enumerate(plan.changes):
        if c["op"] == "set":
            seen[c["field"]] = i
    plan.changes = [c for i, c in enumerate(plan.changes) if c["op"] != "set" or seen[c["field"]] == i]


_PILLAR_ARGS = {
    "regulated": "regulated_industry", "on_prem": "data_must_stay_on_prem",
    "latency": "realtime_latency_required",
}  # fmt: skip


def _read_pillars(u, plan: Plan) -> None:
    for signal in u.pillars:
        if signal.pillar in _PILLAR_ARGS:
            plan.verdict_args[_PILLAR_ARGS[signal.pillar]] = signal.value
        elif signal.pillar == "consistency":
            plan.verdict_args["consistency"] = "deterministic" if signal.value else "variety_ok"
        elif signal.pillar == "proprietary_data":
            plan.verdict_args["proprietary_data"] = "defensible_moat" if signal.value else "none"
        elif signal.pillar == "jargon":
            plan.verdict_args["domain"] = "highly_specialised" if signal.value else "general"
        if signal.pillar == "on_prem":
            plan.changes.append({"field": "constraints.on_prem_required", "op": "set", "value": signal.value})


def _retrieval_query(primary: str, plan: Plan, msg: str) -> str:
    if plan.verdict_args.get("data_must_stay_on_prem") or plan.verdict_args.get("regulated_industry"):
        return "latency and privacy on-premise regulated industry fine-tuning"
    if plan.verdict_args.get("proprietary_data") == "defensible_moat" or plan.verdict_args.get("consistency"):
        return "proprietary data moat and consistency requirements"
    if primary == "break_even":
        return "when does fine-tuning pay off against API costs at scale"
    if plan.risk:
        return "hidden costs of fine-tuning monitoring retraining drift"
    if any(c["field"].startswith("self_hosted") for c in plan.changes):
        return "inference hosting cost of a fine-tuned model GPUs on standby"
    return "total cost of ownership fine-tuning versus base model API"


# --- the steps of a turn -----------------------------------------------------------------------


def _results(turn: Sequence[BaseMessage]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for m in turn:
        if isinstance(m, ToolMessage):
            try:
                payload = json.loads(m.content) if isinstance(m.content, str) else {}
            except ValueError:
                payload = {"error": str(m.content)}
            if not isinstance(payload, dict):
                payload = {"value": payload}
            if m.status == "error" and "error" not in payload:
                payload["error"] = str(m.content)
            out.setdefault(m.name or "", []).append(payload)
    return out


def _scenario_changed_by_another_brain(turn: Sequence[BaseMessage]) -> bool:
    return any(
        isinstance(m, ToolMessage) and m.name in ("what_if", "revert_scenario") and m.status != "error"
        and not str(m.tool_call_id).startswith("offline-")
        for m in turn
    )


def _ok(results: dict[str, list[dict]], name: str) -> dict | None:
    for payload in reversed(results.get(name, [])):
        if "error" not in payload:
            return payload
    return None


def _next_calls(plan: Plan, own_steps: int, results: dict[str, list[dict]]) -> list[tuple[str, dict]]:
    if plan.kind in ("offtopic", "help", "unclear", "empty"):
        return []
    if plan.kind == "concept":
        return [("search_knowledge", {"query": plan.query, "k": 3})] if own_steps == 0 else []
    if plan.kind == "training":
        return [("size_training", dict(plan.training or {}))] if own_steps == 0 else []
    if plan.kind == "price":
        return [("lookup_price", {"name": n, "kind": k}) for n, k in plan.price_lookups] if own_steps == 0 else []
    first: list[tuple[str, dict]] = []
    if plan.revert:
        first.append(("revert_scenario", {"action": plan.revert}))
    elif plan.changes:
        first.append(("what_if", {"changes": plan.changes}))
    if own_steps == 0 and first:
        return first
    if own_steps >= (2 if first else 1):
        return []
    calls: list[tuple[str, dict]] = []
    tco_done = _ok(results, "what_if") or _ok(results, "revert_scenario")
    if not tco_done:
        calls.append(("compute_tco", {}))
    if plan.kind == "analysis":
        calls.append(("sensitivity_analysis", {"samples": 2_000, "monte_carlo": plan.risk}))
        calls.append(("pillar_verdict", dict(plan.verdict_args)))
        calls.append(("search_knowledge", {"query": plan.query, "k": 2}))
    return calls


# --- composing the answer ----------------------------------------------------------------------


def compose_answer(plan: Plan, results: dict[str, list[dict]]) -> str:
    if plan.kind == "empty":
        return f"Ask me about your use case and I will run the numbers.\n\n{SCOPE}\n\n{EXAMPLES}"
    if plan.kind == "help":
        return f"Hello! {SCOPE}\n\n{EXAMPLES}"
    if plan.kind == "offtopic":
        return f"That is outside what I cover. {SCOPE}"
    if plan.kind == "unclear":
        return ("I could not tell what you need from that message. " + SCOPE + "\n\n"
                "What is your monthly usage (tokens, requests, or today's API bill)?")
    passages = [p for payload in results.get("search_knowledge", []) for p in payload.get("passages", [])]
    if plan.kind == "concept":
        return _concept_answer(passages)
    if plan.kind == "training":
        return _training_answer(results)
    if plan.kind == "price":
        return _price_answer(results)

    parts: list[str] = []
    errors = [p for name, payloads in results.items() for p in payloads if "error" in p]
    tco = _ok(results, "what_if") or _ok(results, "revert_scenario") or _ok(results, "compute_tco")
    if tco is None:
        parts.append("I could not compute the costs for this scenario.")
        for e in errors:
            parts.append(f"- {e['error']}")
        parts.append("\nWhat should I change so the scenario is valid?")
        return "\n".join(parts)

    verdict = _ok(results, "pillar_verdict")
    risk = _ok(results, "sensitivity_analysis")
    revert = _ok(results, "revert_scenario")

    if plan.kind == "assumptions":
        parts.append(fmt.assumptions_table(tco))
        parts.append(fmt.defaults_line(tco))
        return "\n\n".join(p for p in parts if p)

    parts.append(fmt.recommendation(tco, verdict))
    if revert:
        parts.append(f"*({revert.get('note', '').capitalize()}.)*")
    for name in ("what_if", "revert_scenario"):
        for e in (p for p in results.get(name, []) if "error" in p):
            parts.append(f"⚠️ I could not apply a change: {e['error']}")
    parts.append(fmt.paths_table(tco))
    if plan.explain_paths:
        parts.append(fmt.cost_lines(tco, plan.explain_paths))
    parts.append(fmt.break_even(tco))
    if risk:
        parts.append(fmt.drivers(risk, show_monte_carlo=plan.risk))
    if verdict:
        parts.append(fmt.pillars(verdict))
    assumptions = fmt.defaults_line(tco)
    if plan.notes:
        assumptions = (assumptions + " " if assumptions else "") + " ".join(plan.notes)
    if assumptions:
        parts.append(f"**Assumptions that matter:** {assumptions}")
    if passages:
        parts.append(fmt.guidance(passages))
    else:
        failed = [p["error"] for p in results.get("search_knowledge", []) if "error" in p]
        if failed:
            parts.append(f"*(No citations this time: {failed[0]})*")
    question = plan.question or fmt.default_question(tco)
    if question:
        parts.append(question)
    return "\n\n".join(p for p in parts if p)


def _concept_answer(passages: list[dict]) -> str:
    if not passages:
        return ("I have no guidance on that in my corpus. " + SCOPE)
    lines = []
    for p in passages[:3]:
        lines.append(f"{fmt.plain_sentences(p.get('snippet', ''), 2)} [{p['n']}]")
    lines.append(fmt.sources(passages))
    return "\n\n".join(lines)


def _errors_text(results: dict[str, list[dict]]) -> str:
    errors = [p["error"] for payloads in results.values() for p in payloads if "error" in p]
    return "\n".join(f"- {e}" for e in errors)


def _training_answer(results: dict[str, list[dict]]) -> str:
    t = _ok(results, "size_training")
    if t is None:
        return "I could not size that training run:\n" + _errors_text(results)
    return (
        f"**{t['method']} of {t['model']} on {t['gpu']}:** {t['gpus_needed']} GPU(s) to fit it in memory "
        f"({fmt.number(t['memory_gb_required'])} GB needed), {fmt.number(t['gpu_hours'])} GPU-hours, about "
        f"{fmt.number(t['wall_clock_hours'])} hours of wall-clock time, so about {fmt.money(t['run_cost_usd'])} "
        f"per run at {fmt.money(t['gpu_price_usd_per_hour'])} per GPU-hour.\n\n"
        f"I assumed {fmt.tokens(t['training_tokens'])} training tokens (dataset tokens times epochs) and "
        f"{fmt.pct(t['mfu_pct'])} of the GPU's peak throughput (MFU); tell me if different. Experiments, "
        "the validation loop, data preparation and hosting come on top: ask for the full comparison."
    )


def _price_answer(results: dict[str, list[dict]]) -> str:
    found = [p for p in results.get("lookup_price", []) if "error" not in p]
    lines = [f"- **{p['summary']}** (source: {p['source']}, as of {p['as_of']})" for p in found]
    errors = _errors_text(results)
    return "\n".join(lines + ([errors] if errors else [])) or "I could not find that price."


def compose_panel_answer(summary: dict) -> str:
    """The short answer shown after an edit in the UI's scenario panel."""
    return "\n\n".join(p for p in (fmt.recommendation(summary, None), fmt.paths_table(summary),
                                   fmt.break_even(summary)) if p)
