"""Lower bounds on the optimum from LP duals: the Lagrangian bound L(π) for any sign-correct
duals π, and the interior point relaxation's (also from an iterate stopped early).

    L(π) = Σᵢ πᵢ bᵢ + Σⱼ min(rcⱼ lⱼ, rcⱼ uⱼ),   rc = c − Aᵀπ,

with every column bounded (x ≤ min(d, C), y, z ≤ 1, s ≤ A) by :func:`column_bounds`.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from charter.planner.model import Model
from charter.planner.outcome import SolveStatus
from charter.planner.problem import Problem
from charter.planner.solver import solve

__all__ = ["clamp", "column_bounds", "interior_bound", "lagrangian_bound"]

F = npt.NDArray[np.float64]


def column_bounds(pb: Problem, model: Model) -> F:
    """Finite upper bounds for every column that leave the feasible set unchanged."""
    upper = model.upper.copy()
    j = model.frac
    upper[model.x] = np.minimum(pb.demand[pb.tw[j], pb.tt[j]], pb.cap[pb.to[j], pb.tt[j]])
    s0 = model.s.start
    for i, c in enumerate(pb.commitments):
        upper[s0 + i] = max(c.amount, 0.0)
    return upper


def clamp(pi: F, model: Model) -> F:
    """Duals with the sign their row allows (so the Lagrangian bound is finite)."""
    out = pi.copy()
    no_lower = ~np.isfinite(model.row_lower)
    no_upper = ~np.isfinite(model.row_upper)
    out[no_lower & (out > 0)] = 0.0
    out[no_upper & (out < 0)] = 0.0
    return out


def lagrangian_bound(model: Model, upper: F, pi: F) -> tuple[float, F]:
    """L(π) and the reduced costs of every column, for sign-correct duals π."""
    rc = model.cost - model.matrix.T @ pi
    rows = np.where(pi > 0, pi * np.where(pi > 0, model.row_lower, 0.0), 0.0) + np.where(
        pi < 0, pi * np.where(pi < 0, model.row_upper, 0.0), 0.0
    )
    cols = np.where(rc >= 0, rc * model.lower, rc * upper)
    return float(rows.sum() + cols.sum()), rc


def interior_bound(
    pb: Problem, model: Model, *, deadline: float
) -> tuple[float | None, F | None, float, bool]:
    """The LP relaxation by HiGHS's interior point method, without crossover: a Lagrangian
    bound from its row duals, clamped to their sign, so that the bound holds even for
    nearly optimal duals, and even for those of an iterate stopped at ``deadline``. Returns
    the bound (None if there are no duals at all), the column values (a guide for rounding;
    an interior point, so every column is slightly positive), the seconds it took and
    whether the method converged."""
    left = deadline - time.perf_counter()
    if left <= 1:
        return None, None, 0.0, False
    res = solve(
        model,
        relax=True,
        time_limit=left,
        options={"solver": "ipm", "run_crossover": "off"},
        deadline=deadline,
    )
    if res.duals is None:
        return None, None, res.seconds, False
    bound, _ = lagrangian_bound(model, column_bounds(pb, model), clamp(res.duals, model))
    values = res.values if res.values is not None else res.iterate
    return bound, values, res.seconds, res.status == SolveStatus.OPTIMAL
