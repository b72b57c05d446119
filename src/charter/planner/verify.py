"""Is a column vector a solution of a model? The check every answer of HiGHS passes before
it becomes a plan, independent of the solver (recomputed from the model's arrays)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from charter.planner.model import Model

__all__ = ["COST_TOLERANCE", "FEASIBILITY_TOLERANCE", "inconsistency"]

F = npt.NDArray[np.float64]
# a solution's cost recomputed from its values may differ from the solver's objective by
# rounding only; HiGHS's primal feasibility tolerance is 1e-7 (relative to the row's size)
COST_TOLERANCE = 1e-7
FEASIBILITY_TOLERANCE = 1e-6


def inconsistency(
    model: Model, values: F, objective: float | None, *, integral: bool = True
) -> str | None:
    """Why ``values`` is not a solution of ``model`` costing ``objective`` (None if it is).

    ``integral=False`` checks a solution of the LP relaxation (binaries may be fractional).

    Independent of the solver: the cost of the values is recomputed from the model's costs,
    the row activities from its matrix, bounds and integrality from its columns.
    """
    if len(values) != model.n_cols or not np.isfinite(values).all():
        return "the solution has the wrong length or non-finite values"
    cost = float(model.cost @ values)
    scale = max(1.0, abs(cost), abs(objective or 0.0))
    if objective is not None and abs(cost - objective) > COST_TOLERANCE * scale:
        return (
            f"the solver reported an objective of {objective:,.2f} but its solution costs "
            f"{cost:,.2f}"
        )
    tol = FEASIBILITY_TOLERANCE
    if (values < model.lower - tol * np.maximum(1.0, np.abs(model.lower))).any() or (
        values > model.upper + tol * np.maximum(1.0, np.abs(model.upper))
    ).any():
        return "the solution leaves a column's bounds"
    ints = model.integer
    if integral and ints.any() and (np.abs(values[ints] - np.round(values[ints])) > 1e-6).any():
        return "the solution gives a binary column a fractional value"
    if model.matrix.shape[0]:
        activity = model.matrix @ values
        # a row's tolerance grows with its terms (Σ|a·x|), not with its activity: a linking
        # row x − C·z ≤ 0 with x = C = 1e6 has activity 0 and rounding of order 1e-10 · 1e6
        size = np.maximum(1.0, abs(model.matrix) @ np.abs(values))
        low = activity < model.row_lower - tol * np.maximum(size, np.abs(model.row_lower))
        high = activity > model.row_upper + tol * np.maximum(size, np.abs(model.row_upper))
        bad = np.flatnonzero(low | high)
        if len(bad):
            name = next(
                (g for g, first, count in model.row_groups if first <= bad[0] < first + count),
                "a",
            )
            return f"the solution breaks {len(bad):,} model rows (the first: a {name} row)"
    return None
