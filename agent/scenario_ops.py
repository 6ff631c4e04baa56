"""The session scenario as the agent keeps it: a JSON dict of stated inputs (``Scenario.apply`` form),
what-if changes applied to it as deltas, and the defaults the advisor assumes until told otherwise."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.common import AdvisorError

# Until the user says otherwise: the minimal scenario of the cost engine (GPT-4o-class pricing,
# 300M input + 100M output tokens a month, i.e. 3:1 input:output). Labelled in every answer.
DEFAULT_USAGE = {"monthly_input_tokens": 300_000_000.0, "monthly_output_tokens": 100_000_000.0}
DEFAULT_API_MODEL = "openai/gpt-4o"

VOLUME_PSEUDO_FIELD = "usage.volume"


class ScenarioChange(BaseModel):
    """One change to the session scenario."""

    field: str = Field(
        min_length=1,
        max_length=120,
        description=(
            "Dotted scenario path, e.g. 'usage.monthly_total_tokens', 'usage.monthly_api_spend_usd', "
            "'usage.monthly_growth', 'api.model', 'self_hosted.training_gpu_price_per_hour', "
            "'self_hosted.lora_method', 'constraints.on_prem_required', 'horizon_months'; "
            "'usage.volume' scales whatever volume the scenario holds."
        ),
    )
    op: Literal["set", "scale", "add"] = Field(
        "set", description="'set' the value, 'scale' (multiply) the current value, or 'add' to it."
    )
    value: float | str | bool | dict[str, float] = Field(
        description="New value, factor (scale) or increment (add); a range as {low, base, high}."
    )


def default_scenario() -> dict[str, Any]:
    """The scenario of a new session: the defaults the advisor states as assumptions."""
    return {"usage": dict(DEFAULT_USAGE), "api": {"model": DEFAULT_API_MODEL}}


def _get(d: Mapping[str, Any], path: str) -> Any:
    node: Any = d
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _numeric(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, Mapping) and "base" in value:
        return float(value["base"])
    return None


def _scaled(value: Any, factor: float, add: float = 0.0) -> Any:
    if isinstance(value, Mapping) and {"low", "base", "high"} <= set(value):
        return {k: float(value[k]) * factor + add for k in ("low", "base", "high")}
    return float(value) * factor + add


def resolve(scenario: Mapping[str, Any], changes: Sequence[ScenarioChange | Mapping[str, Any]],
            defaults: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Turn changes (set/scale/add, incl. 'usage.volume') into ``Scenario.apply`` updates.

    ``defaults`` gives the values in force for fields the scenario leaves to the data files
    (from the last result's assumptions), so 'GPU prices fall 30%' can scale them.
    """
    updates: dict[str, Any] = {}
    for raw in changes:
        change = raw if isinstance(raw, ScenarioChange) else ScenarioChange.model_validate(raw)
        if change.field == VOLUME_PSEUDO_FIELD:
            usage = scenario.get("usage") or {}
            from tools.scenario import VOLUME_FIELDS

            present = [f for f in VOLUME_FIELDS if usage.get(f) is not None]
            if not present:
                raise AdvisorError("usage", "the scenario has no usage volume to change yet")
            for f in present:
                updates[f"usage.{f}"] = _apply_op(change, usage[f], f"usage.{f}")
            continue
        current = updates.get(change.field, _get(scenario, change.field))
        if current is None and defaults:
            current = defaults.get(change.field)
        updates[change.field] = _apply_op(change, current, change.field)
    return updates


def _apply_op(change: ScenarioChange, current: Any, field: str) -> Any:
    if change.op == "set":
        return change.value
    factor = _numeric(change.value) if not isinstance(change.value, str) else None
    if factor is None:
        raise AdvisorError(field, f"'{change.op}' needs a number, got {change.value!r}")
    if _numeric(current) is None:
        raise AdvisorError(field, f"cannot {change.op} it: no current value; use op 'set' with a value")
    return _scaled(current, factor) if change.op == "scale" else _scaled(current, 1.0, factor)


def apply_updates(scenario: Mapping[str, Any], updates: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``updates`` on top of ``scenario``; the stated-inputs dict of the result.

    Raises ``AdvisorError`` naming the field and its allowed range when the result does not validate.
    """
    from tools.scenario import Scenario

    base = Scenario.parse(scenario or default_scenario())
    new = base.apply(dict(updates))
    return new.model_dump(mode="json", exclude_unset=True)


def load(scenario: Mapping[str, Any] | None):
    """The session scenario as a validated ``Scenario``."""
    from tools.scenario import Scenario

    return Scenario.parse(scenario or default_scenario())
