"""Planning at scale: column generation for the bound, a restricted MILP for the plan.

The exact path hands the whole model to HiGHS. Past a few tens of thousands of columns its
LP relaxation alone takes minutes (most columns are gang placements and (workload, offer,
month) triples that no good plan uses), so the scale path works on a subset of the columns:

1. **Column generation** on the LP relaxation. A restricted master LP holds the columns of
   a start set (for every demand and gang row its cheapest few columns, every ROFR and
   shortfall column) plus artificial columns that keep it feasible at a penalty. After each
   solve, the row duals π price *every* column of the full model at once (c − Aᵀπ, one
   sparse product); columns with negative reduced cost join the master (HiGHS keeps its
   basis). Any sign-correct π gives a valid **Lagrangian bound** on the full LP, hence on the
   MILP:  L(π) = Σᵢ πᵢ bᵢ + Σⱼ min(rcⱼ lⱼ, rcⱼ uⱼ), with every column bounded (x ≤ min(d, C),
   y, z ≤ 1, s ≤ A). When no column prices out, L(π) equals the full LP optimum.
2. **Restricted MILP** (price-and-branch): HiGHS solves the MILP over the generated columns
   plus the columns whose reduced cost is within a small margin. Every plan it finds uses
   only columns of the full model and satisfies all of its rows, so it is feasible for the
   full problem; if the restriction has no plan, the margin widens.

The reported gap is (cost − L) / cost, with L the best Lagrangian bound seen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from charter.planner import cancel
from charter.planner.bounds import clamp as _clamp
from charter.planner.bounds import column_bounds, interior_bound, lagrangian_bound
from charter.planner.columns import capacity_greedy, owners, penalties, per_owner, start_columns
from charter.planner.model import INF, Model, submodel
from charter.planner.outcome import Solution, SolveStatus
from charter.planner.problem import Problem
from charter.planner.progress import ProgressEvent, ProgressListener, Stage, quiet
from charter.planner.solver import LpSession, solve

__all__ = [
    "BOUND_METHOD",
    "ScaleInfo",
    "column_bounds",
    "interior_bound",
    "lagrangian_bound",
    "solve_scale",
]

F = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
BOUND_METHOD = "Lagrangian bound of the LP relaxation (column generation over all columns)"


@dataclass
class ScaleInfo:
    """What the scale path did, for the plan's stats."""

    iterations: int = 0
    lp_value: float | None = None  # restricted master LP, last solve
    bound: float | None = None
    converged: bool = False
    columns_generated: int = 0
    columns_in_mip: int = 0
    lp_seconds: float = 0.0
    mip_seconds: float = 0.0
    history: list[dict[str, float]] = field(default_factory=list)


def solve_scale(
    pb: Problem,
    model: Model,
    *,
    time_limit: float,
    gap: float,
    start: F | None = None,
    report: ProgressListener = quiet,
    per_row: int = 3,
    max_add: int = 50_000,
    mip_options: dict[str, Any] | None = None,
    valid_bound: float | None = None,
    lp_share: float = 0.6,
    mip: bool = True,
    max_mip_columns: int = 600_000,
) -> tuple[Solution, ScaleInfo]:
    """Column generation bound + restricted MILP plan (see the module docstring).

    Its length is the list of the path's tuning knobs; the work is in
    :func:`_generate_columns`, :func:`_restricted_milp` and :func:`_standing`.

    With ``valid_bound`` the model is a restriction of the real problem (so its own LP bound
    says nothing about the real optimum): the given bound, from a relaxation, is the one
    reported and the one the gap is measured against.
    """
    t0 = time.perf_counter()
    info = ScaleInfo()
    done = _start_within(model, start, valid_bound, gap, report)
    if done is not None:
        info.bound = valid_bound
        done.seconds = time.perf_counter() - t0
        return done, info
    upper = column_bounds(pb, model)
    lp, in_lp, rc = _generate_columns(
        pb,
        model,
        upper,
        start,
        info,
        report,
        budget=lp_share * time_limit,
        per_row=per_row,
        max_add=max_add,
        restricted=valid_bound is not None,
    )
    info.lp_seconds = time.perf_counter() - t0
    if valid_bound is not None:
        info.bound = valid_bound
    info.columns_generated = int(in_lp.sum())
    guide = lp.values()
    if not mip:  # the bound and the LP's column values only
        status = SolveStatus.RELAXED if guide is not None else SolveStatus.TIME_LIMIT_NO_SOLUTION
        elapsed = time.perf_counter() - t0
        return Solution(status, info.lp_value, info.bound, guide, elapsed, 0, None), info
    # round the LP: a plan to start the restricted MILP from (and to fall back on)
    from charter.planner.greedy import greedy

    if guide is not None:
        rounded = greedy(pb, model, guide)
        if rounded is not None and (start is None or model.cost @ rounded < model.cost @ start):
            start = rounded
            cost = float(model.cost @ rounded)
            message = f"LP rounding: a plan at {cost:,.0f}"
            report(ProgressEvent(Stage.RESTRICTED_MILP, message, info.bound, cost))
    sol, infeasible = _restricted_milp(
        model,
        in_lp,
        rc,
        start,
        info,
        report,
        gap=gap,
        deadline=t0 + time_limit,
        mip_options=mip_options,
        max_mip_columns=max_mip_columns,
        sub_gap=gap if info.converged and valid_bound is None else gap / 2,
    )
    info.mip_seconds = time.perf_counter() - t0 - info.lp_seconds
    return _standing(sol, start, infeasible, model, info, gap, time.perf_counter() - t0), info


def _start_within(
    model: Model, start: F | None, bound: float | None, gap: float, report: ProgressListener
) -> Solution | None:
    """The start as an optimal plan when it is already within the gap of a given bound."""
    if bound is None or start is None or bound <= 0:
        return None
    cost = float(model.cost @ start)
    if cost > bound / (1 - gap):
        return None
    message = "the start is already within the gap of the bound"
    report(ProgressEvent(Stage.COLUMN_GENERATION, message, bound, cost))
    gap_value = max(0.0, (cost - bound) / max(abs(cost), 1e-9))
    return Solution(SolveStatus.OPTIMAL, cost, bound, start, 0.0, 0, gap_value)


def _generate_columns(
    pb: Problem,
    model: Model,
    upper: F,
    start: F | None,
    info: ScaleInfo,
    report: ProgressListener,
    *,
    budget: float,
    per_row: int,
    max_add: int,
    restricted: bool = False,
) -> tuple[LpSession, npt.NDArray[np.bool_], F]:
    """Column generation on the LP relaxation for ``budget`` seconds: the restricted master
    LP, which columns are in it and the last reduced costs; ``info`` gets the bound.

    Its progress events carry the bound only when ``model`` is the real problem (not a
    ``restricted`` one, whose LP bound holds for it alone), and never an incumbent: the
    master LP's value is no plan's cost.

    One loop (solve, price every column, add the best, stop on convergence, stall or time),
    kept whole so that its stopping rules read together."""
    t0 = time.perf_counter()

    def say(message: str) -> None:
        bound = None if restricted else info.bound
        report(ProgressEvent(Stage.COLUMN_GENERATION, message, bound))

    eq = np.flatnonzero(model.row_lower == model.row_upper)
    active = np.union1d(start_columns(model, per_row), capacity_greedy(pb, model))
    if start is not None:
        active = np.union1d(active, np.flatnonzero(start > 1e-9))
    # artificial columns on equality rows (demand, gang) at a penalty well above any price
    lp = LpSession(model, active, upper, artificial_rows=eq, penalty=penalties(model, eq))
    in_lp = np.zeros(model.n_cols, dtype=bool)
    in_lp[active] = True
    owner = owners(pb, model)
    best = -INF
    rc = np.zeros(model.n_cols)
    while True:
        left = budget - (time.perf_counter() - t0)
        if left <= 0:
            break
        status = lp.run(left)
        if status != SolveStatus.OPTIMAL:
            say(f"column generation stopped: the restricted LP says {status}")
            break
        info.iterations += 1
        pi = _clamp(lp.duals(), model)
        bound, rc = lagrangian_bound(model, upper, pi)
        best = max(best, bound)
        info.bound = best
        info.lp_value = lp.objective()
        info.history.append(
            {"seconds": time.perf_counter() - t0, "lp": info.lp_value, "bound": bound}
        )
        # a column joins when moving it to its bound could improve the LP noticeably
        gain = np.where(rc < 0, rc * upper, 0.0)
        cand = np.flatnonzero(~in_lp & (gain < -1e-9 * max(1.0, abs(info.lp_value))))
        say(
            f"column generation {info.iterations}: LP {info.lp_value:,.0f}, bound {best:,.0f}, "
            f"{int(in_lp.sum()):,} of {model.n_cols:,} columns, {len(cand):,} price out"
        )
        if not len(cand) or info.lp_value - best <= 1e-6 * max(1.0, abs(info.lp_value)):
            info.converged = True
            break
        recent = [h["lp"] for h in info.history[-4:]]
        if len(recent) == 4 and recent[0] - recent[-1] <= 1e-6 * max(1.0, abs(recent[-1])):
            say("column generation stalled (the LP has not moved in three rounds)")
            break
        cand = per_owner(cand, gain, owner, per_row=2, limit=max_add)
        lp.add(cand)
        in_lp[cand] = True
    info.bound = None if best == -INF else best
    return lp, in_lp, rc


def _restricted_milp(
    model: Model,
    in_lp: npt.NDArray[np.bool_],
    rc: F,
    start: F | None,
    info: ScaleInfo,
    report: ProgressListener,
    *,
    gap: float,
    deadline: float,
    mip_options: dict[str, Any] | None,
    max_mip_columns: int,
    sub_gap: float,
) -> tuple[Solution | None, bool]:
    """HiGHS on the generated columns (and the start's), widened by reduced cost until the
    restriction has a plan: the plan (None if none in time) and whether the full model has
    none. HiGHS measures its gap against the restricted model's bound: ``sub_gap`` is the
    requested gap once column generation has converged, half of it otherwise.

    One loop (solve the restriction, widen on infeasibility), kept whole for the same reason
    as :func:`_generate_columns`."""

    def say(message: str) -> None:
        report(ProgressEvent(Stage.RESTRICTED_MILP, message, info.bound))

    margin = 0.0
    keep = in_lp.copy()
    if start is not None:
        keep[start > 1e-9] = True
    target = None
    if info.bound is not None and info.bound > 0 and gap < 1:
        target = info.bound / (1 - gap)  # a plan at or below this is within the gap
    if start is not None and target is not None and model.cost @ start <= target:
        say("the rounded plan is already within the gap: no MILP needed")
        return None, False
    while keep.any() and not cancel.cancelled():
        left = deadline - time.perf_counter()
        if left <= 1:
            break
        cols = np.flatnonzero(keep)
        if len(cols) > max_mip_columns and info.columns_in_mip:
            # HiGHS's presolve does not heed the deadline: no MILP of this size
            say(f"restricted MILP: not widening past {max_mip_columns:,} columns")
            break
        info.columns_in_mip = len(cols)
        sub_start = None
        if start is not None and (start[~keep] <= 1e-9).all():
            sub_start = start[cols]
        say(f"restricted MILP: {len(cols):,} columns, {left:.0f} s left")
        res = solve(
            submodel(model, cols),
            time_limit=left,
            gap=sub_gap,
            start=sub_start,
            options=mip_options,
            deadline=deadline,
            stop_at=target,
        )
        if res.values is not None:
            full = np.zeros(model.n_cols)
            full[cols] = res.values
            sol = Solution(
                res.status, res.objective, info.bound, full, res.seconds, res.nodes, None
            )
            sol.interrupted = res.interrupted
            return sol, False
        if res.status != SolveStatus.INFEASIBLE:
            break
        if keep.all():
            return None, True  # the full model has no plan
        # widen by reduced cost: the columns closest to entering the LP come first
        margin = 0.02 if margin == 0 else margin * 4
        scale_rc = np.maximum(np.abs(model.cost), 1e-9)
        widened = keep | (rc <= margin * scale_rc)
        if widened.sum() == keep.sum() or margin > 100:
            widened[:] = True
        keep = widened
    return None, False


def _standing(
    sol: Solution | None,
    start: F | None,
    infeasible: bool,
    model: Model,
    info: ScaleInfo,
    gap: float,
    seconds: float,
) -> Solution:
    """The plan that stands (the MILP's, else the start) with its gap to the bound."""
    if sol is None and start is not None:
        # the MILP ran out of time: the rounded (or greedy) plan stands
        cost = float(model.cost @ start)
        sol = Solution(SolveStatus.FEASIBLE, cost, info.bound, start, seconds, 0, None)
        sol.interrupted = cancel.cancelled()
    if sol is None:
        status = SolveStatus.INFEASIBLE if infeasible else SolveStatus.TIME_LIMIT_NO_SOLUTION
        if not infeasible and cancel.cancelled():
            status = SolveStatus.INTERRUPTED
        return Solution(status, None, info.bound, None, seconds, 0, None)
    sol.seconds = seconds
    if sol.objective is not None and info.bound is not None:
        sol.gap = max(0.0, (sol.objective - info.bound) / max(abs(sol.objective), 1e-9))
        within = sol.gap <= gap + 1e-12
        sol.status = SolveStatus.OPTIMAL if within else SolveStatus.FEASIBLE
    else:
        sol.status = SolveStatus.FEASIBLE
    return sol
