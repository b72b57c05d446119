"""What each clause in force costs: cost(with clause) − cost(without clause).

Both sides are solved to optimality (gap 0), so that a figure is the difference of two optima
and not of two plans that each stopped somewhere within the gap (which would make it depend
on the solver's path, and so on its version). Where a side is not proven optimal in the time
limit, ``cost_low``/``cost_high`` bound the true difference. The side without the clause
starts from the plan's placements where they still exist (a partial start HiGHS completes).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import numpy.typing as npt

from charter.clauses.base import SpendCommitment
from charter.dates import day_number
from charter.errors import RequestError
from charter.planner.greedy import greedy
from charter.planner.model import Model
from charter.planner.outcome import Solution, SolveStatus
from charter.planner.problem import Problem
from charter.planner.progress import ProgressEvent, ProgressListener, Stage
from charter.planner.setup import setup
from charter.planner.solver import solve
from charter.scenario import Scenario

__all__ = ["clause_costs"]

Triple = tuple[int, int, int]  # (group, offer, period)


def clause_costs(
    scenario: Scenario,
    pb: Problem,
    model: Model,
    sol: Solution,
    start: str | None,
    end: str | None,
    events: dict[str, str] | None,
    time_limit: float,
    report: ProgressListener,
) -> list[dict[str, Any]]:
    """cost(with clause) − cost(without clause), for every deciding clause in force (see the
    module docstring)."""
    base_sol = sol
    if sol.gap is None or sol.gap > 1e-9:
        report(ProgressEvent(Stage.CLAUSE_COSTS, "clause cost: solving the plan to optimality"))
        base_sol = solve(
            model,
            time_limit=time_limit,
            gap=0.0,
            start=sol.values,
            deadline=time.perf_counter() + time_limit,
        )
        if base_sol.values is None:
            base_sol = sol
    base = base_sol.objective or 0.0
    base_bound = base_sol.bound if base_sol.bound is not None else base
    hours, chosen = _placements(pb, model, base_sol.values)
    out = []
    for rec in scenario.clauses:
        if not _in_force(scenario, rec, pb, events):
            continue
        message = f"clause cost: re-solving without {rec.id}"
        report(ProgressEvent(Stage.CLAUSE_COSTS, message))
        try:
            pb2, model2 = setup(scenario.without([rec.id]), start, end, events, True)
        except RequestError:
            continue
        partial = _partial_start(pb2, model2, hours, chosen)
        deadline = time.perf_counter() + time_limit
        warm = greedy(pb2, model2)
        sol2 = solve(
            model2, time_limit=time_limit, gap=0.0, start=warm, partial=partial, deadline=deadline
        )
        out.append(_entry(rec, base, base_bound, sol2))
    return out


def _placements(
    pb: Problem, model: Model, values: npt.NDArray[np.float64] | None
) -> tuple[dict[Triple, float], set[tuple[int, int]]]:
    """The plan's hours per (group, offer, period) and its gang choices (group, offer)."""
    hours: dict[Triple, float] = {}
    if values is None:
        return hours, set()
    for col in np.flatnonzero(values[model.x] > 1e-6):
        j = model.frac[col]
        hours[(int(pb.tw[j]), int(pb.to[j]), int(pb.tt[j]))] = float(values[col])
    chosen = {(int(pb.gang_w[k]), int(pb.gang_o[k])) for k in np.flatnonzero(values[model.y] > 0.5)}
    return hours, chosen


def _in_force(scenario: Scenario, rec: Any, pb: Problem, events: dict[str, str] | None) -> bool:
    """A deciding clause (or a commitment) about running, in force within the horizon."""
    spec = rec.spec
    commits = isinstance(spec, SpendCommitment)
    if not spec.decides and not commits:
        return False
    first, last = pb.periods[0].start, pb.periods[-1].end
    end_day = rec.end_day(scenario.resolve_events(events))
    if day_number(rec.start) > day_number(last) or end_day <= day_number(first):
        return False
    acts = spec.applies_to_actions()
    return "run" in acts or "*" in acts or commits


def _partial_start(
    pb: Problem, model: Model, hours: dict[Triple, float], chosen: set[tuple[int, int]]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] | None:
    """The plan's placements that exist in the other model, as a partial start."""
    idx: list[int] = []
    vals: list[float] = []
    for c in range(model.n_x):
        j = model.frac[c]
        key = (int(pb.tw[j]), int(pb.to[j]), int(pb.tt[j]))
        if key in hours:
            idx.append(c)
            vals.append(hours[key])
    for k in range(model.n_y):
        if (int(pb.gang_w[k]), int(pb.gang_o[k])) in chosen:
            idx.append(model.y.start + k)
            vals.append(1.0)
    return (np.array(idx, dtype=np.int64), np.array(vals)) if idx else None


def _entry(rec: Any, base: float, base_bound: float, sol2: Solution) -> dict[str, Any]:
    """One clause's cost, its bounds and a note on what they mean."""
    spec = rec.spec
    cost = None if sol2.objective is None else base - sol2.objective
    low = high = cost
    if sol2.objective is not None:
        bound2 = sol2.bound if sol2.bound is not None else sol2.objective
        low, high = base_bound - sol2.objective, base - bound2
    note = None
    if sol2.status == SolveStatus.INFEASIBLE:
        note = "needed: without it no plan exists"
    elif sol2.objective is None:
        note = f"no plan without it within the time limit ({sol2.label})"
    elif cost is not None and cost < -1e-6:
        note = "negative: the exception saves money"
    if low is not None and high is not None and high - low > 0.01:
        extra = f"between {_dollars(low)} and {_dollars(high)} (not proven optimal in time)"
        note = extra if note is None else f"{note}; {extra}"
    return {
        "clause": rec.id,
        "kind": spec.kind,
        "title": spec.title,
        "cost": cost,
        "cost_low": low,
        "cost_high": high,
        "with": base,
        "without": sol2.objective,
        "status_without": sol2.label,
        "exception": bool(spec.lifts),
        "note": note,
    }


def _dollars(x: float) -> str:
    return f"${x:,.0f}" if x >= 0 else f"-${-x:,.0f}"
