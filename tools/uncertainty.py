"""Uncertainty of the TCO: a seeded, vectorised Monte Carlo over every input given as
``{low, base, high}`` (and the GPU prices' low/typical/high), and a tornado sensitivity ranking.

Both run the one cost model of ``tools.tco`` over arrays: 10,000 samples are one call.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from tools.common import Frozen
from tools.scenario import Scenario
from tools.tco import PATHS, Input, Model, PathId, evaluate_totals, resolve

DEFAULT_SWING = 0.25  # +-25% for inputs stated as a single number, in the tornado only


class PathDistribution(Frozen):
    id: PathId
    feasible: bool
    p10: float
    p50: float
    p90: float
    mean: float
    probability_cheapest: float = Field(ge=0, le=1)


class MonteCarloResult(Frozen):
    samples: int
    seed: int
    horizon_months: int
    uncertain_inputs: list[str]  # names of the inputs that were sampled
    paths: list[PathDistribution]

    def path(self, path_id: str) -> PathDistribution:
        return next(p for p in self.paths if p.id == path_id)


class SensitivityRow(Frozen):
    input: str
    low: float
    base: float
    high: float
    from_range: bool  # False: the input was a single number, swung by +-DEFAULT_SWING
    totals_low: dict[str, float]
    totals_high: dict[str, float]
    swing: dict[str, float]  # |total at high - total at low| per path
    cheapest_low: PathId
    cheapest_high: PathId
    decision_changes: bool
    margin_swing: float  # change of the base-case winner's lead over its nearest feasible rival


class SensitivityResult(Frozen):
    cheapest: PathId
    runner_up: PathId | None
    default_swing: float
    rows: list[SensitivityRow]  # ranked: inputs that flip the decision first, then by margin swing


def _sample(inputs: list[Input], samples: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Triangular(low, base, high) draws for ranged inputs; the base value for the rest."""
    values: dict[str, np.ndarray] = {}
    for i in inputs:
        if i.uncertain:
            values[i.name] = rng.triangular(i.low, i.base, i.high, size=(samples, 1))
        else:
            values[i.name] = np.full((1, 1), i.base)
    return values


def _feasible_mask(m: Model) -> np.ndarray:
    return np.array([m.feasible[p] is None for p in PATHS])


def _cheapest(totals: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """Index of the cheapest feasible path per sample; totals shape (paths, samples)."""
    masked = np.where(feasible[:, None], totals, np.inf) if feasible.any() else totals
    return np.argmin(masked, axis=0)


def run_monte_carlo(scenario: Scenario, samples: int = 10_000, seed: int = 0) -> MonteCarloResult:
    """P10/P50/P90 horizon totals per path and the probability each path is cheapest.

    Every input given as ``{low, base, high}`` is drawn from a triangular distribution (numpy's
    PCG64 seeded with ``seed``); the GPU hourly prices default to their low/typical/high range.
    """
    if not 1 <= samples <= 1_000_000:
        from tools.common import AdvisorError

        raise AdvisorError("samples", f"must be between 1 and 1,000,000, got {samples}")
    m = resolve(scenario)
    rng = np.random.default_rng(seed)
    inputs = list(m.inputs.values())
    totals = evaluate_totals(_sample(inputs, samples, rng), m)
    totals = np.broadcast_to(totals, (len(PATHS), samples))
    feasible = _feasible_mask(m)
    winners = np.bincount(_cheapest(totals, feasible), minlength=len(PATHS)) / samples
    p10, p50, p90 = np.percentile(totals, [10, 50, 90], axis=1)
    return MonteCarloResult(
        samples=samples,
        seed=seed,
        horizon_months=scenario.horizon_months,
        uncertain_inputs=[i.name for i in inputs if i.uncertain],
        paths=[
            PathDistribution(
                id=p, feasible=bool(feasible[k]), p10=float(p10[k]), p50=float(p50[k]),
                p90=float(p90[k]), mean=float(totals[k].mean()), probability_cheapest=float(winners[k]),
            )
            for k, p in enumerate(PATHS)
        ],
    )  # fmt: skip


def _swing_bounds(i: Input) -> tuple[float, float, bool]:
    if i.uncertain:
        return i.low, i.high, True
    low, high = i.base * (1 - DEFAULT_SWING), i.base * (1 + DEFAULT_SWING)
    low, high = sorted((low, high))
    return max(low, 0.0) if i.base >= 0 else low, min(high, i.upper), False


def sensitivity(scenario: Scenario) -> SensitivityResult:
    """Tornado: swing each input from low to high (others at base) and record each path's total
    and the cheapest path. Inputs stated as one number swing by +-25% (capped at their bounds)."""
    m = resolve(scenario)
    inputs = [i for i in m.inputs.values()]
    k = len(inputs)
    values = {name: np.full((2 * k + 1, 1), i.base) for name, i in m.inputs.items()}
    bounds = []
    for row, i in enumerate(inputs):
        low, high, ranged = _swing_bounds(i)
        values[i.name][2 * row, 0] = low
        values[i.name][2 * row + 1, 0] = high
        bounds.append((low, high, ranged))
    totals = np.broadcast_to(evaluate_totals(values, m), (len(PATHS), 2 * k + 1))
    feasible = _feasible_mask(m)
    winners = _cheapest(totals, feasible)
    base_totals = totals[:, -1]
    order = np.argsort(np.where(feasible, base_totals, np.inf) if feasible.any() else base_totals)
    best = int(order[0])
    second = int(order[1]) if feasible.sum() > 1 or not feasible.any() else None

    others = [n for n in range(len(PATHS)) if n != best and (feasible[n] or not feasible.any())]

    def lead(col: int) -> float:
        """The base-case winner's lead over its nearest rival (negative once a rival is cheaper)."""
        return min((totals[n, col] - totals[best, col] for n in others), default=0.0)

    def margin_swing(lo: int, hi: int) -> float:
        # The nearest rival, not any rival: an input that only moves a distant path's total (say,
        # self-hosted staffing when the API wins by far) does not bring the decision any closer.
        return float(abs(lead(hi) - lead(lo)))

    rows = []
    for row, i in enumerate(inputs):
        lo_col, hi_col = 2 * row, 2 * row + 1
        low, high, ranged = bounds[row]
        rows.append(
            SensitivityRow(
                input=i.name, low=low, base=i.base, high=high, from_range=ranged,
                totals_low={p: float(totals[n, lo_col]) for n, p in enumerate(PATHS)},
                totals_high={p: float(totals[n, hi_col]) for n, p in enumerate(PATHS)},
                swing={p: float(abs(totals[n, hi_col] - totals[n, lo_col])) for n, p in enumerate(PATHS)},
                cheapest_low=PATHS[int(winners[lo_col])],
                cheapest_high=PATHS[int(winners[hi_col])],
                decision_changes=bool(winners[lo_col] != best or winners[hi_col] != best),
                margin_swing=margin_swing(lo_col, hi_col),
            )
        )  # fmt: skip
    rows.sort(key=lambda r: (not r.decision_changes, -r.margin_swing, -max(r.swing.values())))
    return SensitivityResult(
        cheapest=PATHS[best],
        runner_up=PATHS[second] if second is not None else None,
        default_swing=DEFAULT_SWING,
        rows=rows,
    )
