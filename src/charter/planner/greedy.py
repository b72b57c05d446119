"""A cheapest-first greedy that respects the clauses, kept as the baseline and as a warm start.

Gang groups first (largest first), each on its cheapest candidate offer with room in every
month; then, month by month, fractional demand on the cheapest feasible offers, trying offers
free of conditions before those conditional on a clause the plan must settle (third-party
capacity under a ROFR). Then each constraining clause's part repairs the placement with the
moves of :mod:`.repair` (the ROFR fills its holder's offers); a placement a part cannot
repair, or whose rows a part without a repair finds broken, is not returned.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from charter.planner.model import Model, unmet_fill
from charter.planner.problem import Problem
from charter.planner.repair import PlacementRepair
from charter.planner.verify import inconsistency

__all__ = ["fill", "greedy", "place_gangs"]


def place_gangs(
    pb: Problem,
    model: Model,
    guide: npt.NDArray[np.float64] | None = None,
    allotment: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] | None = None,
) -> npt.NDArray[np.int64] | None:
    """One candidate per gang job (indices into gang_w / gang_o), every offer within its
    capacity, or None when a job finds no candidate with room. Largest jobs first, each on
    its cheapest candidate with room in every month of its window, candidates conditional
    on a clause the plan settles (third-party capacity under a ROFR) last; with ``guide``
    (an LP's column values) the jobs the guide places most firmly go first, each onto the
    candidate the guide favours.

    With ``allotment`` = (class of every group, hours per class × offer × month), e.g. a
    relaxation's hours where the jobs of a class are one divisible block, the largest jobs
    go first, each to the candidate whose remaining allotment covers the largest share of
    its demand in its tightest month, and that allotment shrinks by the job's demand.

    A job whose workload prices unmet demand is left out (unserved) rather than fail the
    placement when no candidate has room or costs less than leaving it unserved.

    One placement loop serves both rankings (guide or allotment), which is what makes it
    longer than most: the two rankings are defined next to each other, above the loop."""
    cands = pb.candidates_by_gang()
    unserved = _unserved_cost(pb)
    if any(g.gang and g.index not in cands and g.index not in unserved for g in pb.groups):
        return None  # a gang job without any candidate that must be served
    y0 = model.y.start
    ws = list(cands)
    sizes = np.array([float(pb.demand[w].sum()) for w in ws])
    if allotment is None:
        lp = np.zeros(model.n_cols) if guide is None else guide
        n_o = len(pb.offers)
        subject = pb.t_settled
        gang_sub = np.isin(pb.gang_w * n_o + pb.gang_o, pb.tw[subject] * n_o + pb.to[subject])
        firm = np.array([float(lp[y0 + cands[w]].max()) for w in ws])
        order = np.lexsort((-sizes, -np.round(firm, 6)))

        def rank(w: int, ks: Any, active: Any, d: Any) -> Any:
            return np.lexsort((model.cost[y0 + ks], gang_sub[ks], -np.round(lp[y0 + ks], 6)))

        def use_allotment(w: int, k: int, d: Any) -> None:
            pass

    else:
        relaxed_group, left = allotment[0], allotment[1].copy()
        order = np.argsort(-sizes, kind="stable")

        def rank(w: int, ks: Any, active: Any, d: Any) -> Any:
            c = int(relaxed_group[w])
            cover = np.zeros(len(ks))
            if c >= 0:
                share = np.maximum(left[c][pb.gang_o[ks]][:, active], 0.0) / d[active]
                cover = np.minimum(share.min(axis=1), 1.0)
            return np.lexsort((model.cost[y0 + ks], -np.round(cover, 6)))

        def use_allotment(w: int, k: int, d: Any) -> None:
            if relaxed_group[w] >= 0:
                left[int(relaxed_group[w]), pb.gang_o[k]] -= d

    residual = pb.cap.copy()
    chosen: list[int] = []
    for i in order.tolist():
        w = ws[i]
        ks = cands[w]
        d = pb.demand[w]
        active = d > 0
        room = (residual[pb.gang_o[ks]][:, active] >= d[active] - 1e-9).all(axis=1)
        if w in unserved:
            room &= model.cost[y0 + ks] < unserved[w]
            if not room.any():
                continue  # cheaper, or only possible, to leave it unserved
        if not room.any():
            return None
        k = int(ks[next(r for r in rank(w, ks, active, d) if room[r])])
        residual[pb.gang_o[k]] -= d
        use_allotment(w, k, d)
        chosen.append(k)
    return np.array(chosen, dtype=np.int64)


def _unserved_cost(pb: Problem) -> dict[int, float]:
    """What leaving each gang group that prices unmet demand unserved costs, by group."""
    return {
        g.index: float(g.spec.unmet_penalty) * float(pb.demand[g.index].sum())
        for g in pb.groups
        if g.gang and g.spec.unmet_penalty is not None
    }


def _penalty(pb: Problem) -> npt.NDArray[np.float64]:
    """Each group's dearest price of an unmet accelerator-hour, over its levels (infinite:
    its demand must be met)."""
    return np.array([float(g.penalties.max()) if g.priced else np.inf for g in pb.groups])


def greedy(
    pb: Problem, model: Model, guide: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float64] | None:
    """A feasible column vector for ``model``, or None when the greedy finds none.

    With ``guide`` (e.g. an LP relaxation's column values) the greedy rounds it: gang jobs
    the guide places most firmly go first, each onto the candidate the guide favours, and
    fractional demand goes first to the offers the guide uses. Demand of workloads that
    price it is left unmet where no offer is cheaper than the penalty or none has room."""
    lp = np.zeros(model.n_cols) if guide is None else guide
    residual = pb.cap.copy()
    values = np.zeros(model.n_cols)
    y0, s0 = model.y.start, model.s.start
    placed = place_gangs(pb, model, lp)
    if placed is None:
        return None
    values[y0 + placed] = 1.0
    for k in placed.tolist():
        residual[pb.gang_o[k]] -= pb.demand[pb.gang_w[k]]

    need, by_wt = _place_fractional(pb, model, lp, values, residual)
    frac_groups = np.array([not g.gang for g in pb.groups], dtype=bool)
    if (need[frac_groups] > 1e-6).any():
        _repair_unmet(pb, model, values, residual, need, by_wt)
    priced = np.isfinite(_penalty(pb))
    if (need[frac_groups & ~priced] > 1e-6).any():
        return None
    if model.n_u:
        left = np.where((frac_groups & priced)[:, None], np.maximum(need, 0.0), 0.0)
        served = np.zeros(len(pb.groups), dtype=bool)
        served[pb.gang_w[placed]] = True
        gangs = np.flatnonzero(~frac_groups & priced & ~served)
        values[model.u] = unmet_fill(model, left, gangs)
    unchecked = False
    if pb.parts:
        fix = PlacementRepair(pb, model, values, residual)
        for part, own in zip(pb.parts, model.part_columns, strict=True):
            repaired = part.repair(fix, own)
            if repaired is False:
                return None
            unchecked |= repaired is None

    # commitments: shortfall is what the plan does not spend
    spend = model.matrix @ np.where(np.arange(model.n_cols) < s0, values, 0.0)
    for name, first, count in model.row_groups:
        if name == "commitment":
            for c in range(count):
                values[s0 + c] = max(0.0, model.row_lower[first + c] - spend[first + c])
    if unchecked and inconsistency(model, values, None) is not None:
        return None  # a part without a repair: its rows decide
    return values


def _place_fractional(
    pb: Problem,
    model: Model,
    lp: npt.NDArray[np.float64],
    values: npt.NDArray[np.float64],
    residual: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], dict[tuple[int, int], list[int]]]:
    """Fractional groups, month by month, least flexible first, each on its cheapest offers
    (those the guide ``lp`` uses first, conditional ones last): the demand left unmet, and
    each (group, month)'s x columns in the order tried."""
    frac = model.frac
    xw, xo, xt = pb.tw[frac], pb.to[frac], pb.tt[frac]
    xsub = pb.t_settled[frac]
    need = pb.demand.copy()
    frac_groups = np.array([not g.gang for g in pb.groups], dtype=bool)
    by_wt: dict[tuple[int, int], list[int]] = {}
    # an offer dearer than the workload's unmet-demand penalty is never worth using
    worth = pb.price[xo] <= _penalty(pb)[xw]
    for col in np.lexsort((pb.price[xo], xsub, lp[model.x] <= 1e-9)).tolist():
        if worth[col]:
            by_wt.setdefault((int(xw[col]), int(xt[col])), []).append(col)
    for t in range(len(pb.periods)):
        todo = [int(x) for x in np.flatnonzero(frac_groups & (need[:, t] > 0))]
        todo.sort(key=lambda x: (len(by_wt.get((x, t), ())), -need[x, t]))
        for w in todo:
            for col in by_wt.get((w, t), ()):
                o = int(xo[col])
                if need[w, t] <= 1e-9:
                    break
                take = min(need[w, t], residual[o, t])
                if take > 0:
                    values[col] += take
                    need[w, t] -= take
                    residual[o, t] -= take
    return need, by_wt


def _repair_unmet(
    pb: Problem,
    model: Model,
    values: npt.NDArray[np.float64],
    residual: npt.NDArray[np.float64],
    need: npt.NDArray[np.float64],
    by_wt: dict[tuple[int, int], list[int]],
) -> None:
    """Demand left unmet: make room on an offer it may use by moving other fractional work
    from there to an offer that work may use and that has room (one augmenting step)."""
    frac = model.frac
    xw, xo = pb.tw[frac], pb.to[frac]
    on_ot: dict[tuple[int, int], list[int]] = {}
    for col in np.flatnonzero(values[model.x] > 1e-9).tolist():
        on_ot.setdefault((int(xo[col]), int(pb.tt[frac[col]])), []).append(col)
    for w, t in zip(*np.nonzero(need > 1e-6), strict=True):
        w, t = int(w), int(t)
        for col in by_wt.get((w, t), ()):
            o = int(xo[col])
            for c2 in list(on_ot.get((o, t), ())):
                if need[w, t] <= residual[o, t] + 1e-9:
                    break
                w2 = int(xw[c2])
                if w2 == w or values[c2] <= 1e-9:
                    continue
                for c3 in by_wt.get((w2, t), ()):
                    o3 = int(xo[c3])
                    if o3 == o or residual[o3, t] <= 1e-9:
                        continue
                    move = min(values[c2], residual[o3, t], need[w, t] - residual[o, t])
                    if move <= 1e-9:
                        break
                    values[c2] -= move
                    values[c3] += move
                    residual[o3, t] -= move
                    residual[o, t] += move
                    on_ot.setdefault((o3, t), []).append(c3)
                    if values[c2] <= 1e-9 or need[w, t] <= residual[o, t] + 1e-9:
                        break
            take = min(need[w, t], residual[o, t])
            if take > 1e-9:
                values[col] += take
                need[w, t] -= take
                residual[o, t] -= take
                on_ot.setdefault((o, t), []).append(col)
            if need[w, t] <= 1e-9:
                break


def fill(
    pb: Problem,
    model: Model,
    placed: npt.NDArray[np.int64],
    *,
    deadline: float,
    columns: npt.NDArray[np.int64] | None = None,
    free: npt.NDArray[np.int64] | None = None,
    start: npt.NDArray[np.float64] | None = None,
    gap: float = 1e-4,
    stall: float | None = None,
) -> npt.NDArray[np.float64] | None:
    """The cheapest plan with the gang jobs where ``placed`` puts them: HiGHS on the
    fractional hours and the ROFR binaries (a MILP whose only integers are the ROFR groups'),
    over every fractional column or only ``columns``. None when no plan fits around those
    placements or time runs out.

    With ``free`` (gang candidate indices) the jobs of those candidates may also move to
    them (a neighbourhood of the placement); ``start`` is a plan to start from, e.g. the
    incumbent, whose columns are all kept; ``stall``: stop after that many seconds without
    a cheaper plan (see :func:`~charter.planner.solver.solve`)."""
    from charter.planner.model import submodel
    from charter.planner.solver import solve

    y0, s0 = model.y.start, model.s.start
    free = np.zeros(0, dtype=np.int64) if free is None else free
    allowed = np.union1d(placed, free)
    loose = np.isin(pb.gang_w[placed], pb.gang_w[free])
    lower = model.lower.copy()
    upper = model.upper.copy()
    upper[model.y] = 0.0
    upper[y0 + allowed] = 1.0
    lower[y0 + placed[~loose]] = 1.0
    xs = np.arange(model.x.start, model.x.stop) if columns is None else columns[columns < y0]
    parts = [xs, y0 + allowed, np.arange(s0, model.n_cols)]
    if start is not None:
        parts.append(np.flatnonzero(start > 1e-9))
    keep = np.unique(np.concatenate(parts))
    fixed = dataclasses.replace(model, lower=lower, upper=upper)
    left = deadline - time.perf_counter()
    if left <= 0.5:
        return None
    res = solve(
        submodel(fixed, keep),
        time_limit=left,
        gap=gap,
        deadline=deadline,
        start=None if start is None else start[keep],
        stall=stall,
    )
    if res.values is None:
        return None
    out = np.zeros(model.n_cols)
    out[keep] = res.values
    return out
