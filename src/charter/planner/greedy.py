"""A cheapest-first greedy that respects the ROFR, kept as the baseline and as a warm start.

Gang groups first (largest first), each on its cheapest candidate offer with room in every
month; then, month by month, fractional demand on the cheapest feasible offers, trying the
holder's and unrestricted offers before third-party capacity subject to a ROFR. The result is
checked against the ROFR's saturation rule; a greedy plan that breaks it is not returned.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from charter.planner.model import Model
from charter.planner.problem import Problem

__all__ = ["fill", "greedy", "place_gangs"]


def place_gangs(
    pb: Problem,
    model: Model,
    guide: npt.NDArray[np.float64] | None = None,
    allotment: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] | None = None,
) -> npt.NDArray[np.int64] | None:
    """One candidate per gang job (indices into gang_w / gang_o), every offer within its
    capacity, or None when a job finds no candidate with room. Largest jobs first, each on
    its cheapest candidate with room in every month of its window, candidates on
    third-party capacity under a ROFR last; with ``guide`` (an LP's column values) the jobs
    the guide places most firmly go first, each onto the candidate the guide favours.

    With ``allotment`` = (class of every group, hours per class × offer × month), e.g. a
    relaxation's hours where the jobs of a class are one divisible block, the largest jobs
    go first, each to the candidate whose remaining allotment covers the largest share of
    its demand in its tightest month, and that allotment shrinks by the job's demand.

    One placement loop serves both rankings (guide or allotment), which is what makes it
    longer than most: the two rankings are defined next to each other, above the loop."""
    cands = pb.candidates_by_gang()
    if len(cands) < sum(1 for g in pb.groups if g.gang):
        return None  # a gang job without any candidate
    y0 = model.y.start
    ws = list(cands)
    sizes = np.array([float(pb.demand[w].sum()) for w in ws])
    if allotment is None:
        lp = np.zeros(model.n_cols) if guide is None else guide
        n_o = len(pb.offers)
        subject = pb.t_rofr >= 0
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
        if not room.any():
            return None
        k = int(ks[next(r for r in rank(w, ks, active, d) if room[r])])
        residual[pb.gang_o[k]] -= d
        use_allotment(w, k, d)
        chosen.append(k)
    return np.array(chosen, dtype=np.int64)


def greedy(
    pb: Problem, model: Model, guide: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float64] | None:
    """A feasible column vector for ``model``, or None when the greedy finds none.

    With ``guide`` (e.g. an LP relaxation's column values) the greedy rounds it: gang jobs
    the guide places most firmly go first, each onto the candidate the guide favours, and
    fractional demand goes first to the offers the guide uses."""
    lp = np.zeros(model.n_cols) if guide is None else guide
    residual = pb.cap.copy()
    values = np.zeros(model.n_cols)
    y0, s0 = model.y.start, model.s.start
    subject = pb.t_rofr >= 0
    placed = place_gangs(pb, model, lp)
    if placed is None:
        return None
    values[y0 + placed] = 1.0
    for k in placed.tolist():
        residual[pb.gang_o[k]] -= pb.demand[pb.gang_w[k]]

    # fractional groups, month by month, least flexible first, cheapest offers first
    frac = model.frac
    xw, xo, xt = pb.tw[frac], pb.to[frac], pb.tt[frac]
    xsub = subject[frac]
    need = pb.demand.copy()
    frac_groups = np.array([not g.gang for g in pb.groups], dtype=bool)
    by_wt: dict[tuple[int, int], list[int]] = {}
    for col in np.lexsort((pb.price[xo], xsub, lp[model.x] <= 1e-9)).tolist():
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
    if (need[frac_groups] > 1e-6).any():
        _repair_unmet(pb, model, values, residual, need, by_wt)
    if (need[frac_groups] > 1e-6).any():
        return None
    if pb.rofr and not _repair_rofr(pb, model, values, residual):
        return None

    # commitments: shortfall is what the plan does not spend
    spend = model.matrix @ np.where(np.arange(model.n_cols) < s0, values, 0.0)
    for name, first, count in model.row_groups:
        if name == "commitment":
            for c in range(count):
                values[s0 + c] = max(0.0, model.row_lower[first + c] - spend[first + c])
    return values


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


def _repair_rofr(
    pb: Problem, model: Model, values: npt.NDArray[np.float64], residual: npt.NDArray[np.float64]
) -> bool:
    """Make the placement respect the ROFR: where a group uses third-party capacity, fill its
    holder offers, first with its own subject work, then with other fractional work moved
    off third-party offers; a group whose holder offers stay short while it still uses third
    parties fails the greedy. Sets z_g. Holder loads only grow, so a group once saturated
    stays saturated.

    Long because the repair is one pass over the groups whose three moves (own work onto
    the holder, other work onto the holder, give up) share the residuals and column maps."""
    n_o = len(pb.offers)
    y0, z0 = model.y.start, model.z.start
    frac = model.frac
    xw, xo, xt = pb.tw[frac], pb.to[frac], pb.tt[frac]
    col_of = np.full(len(pb.tw), -1, dtype=np.int64)
    col_of[frac] = np.arange(model.x.start, model.x.stop)
    gkey = pb.gang_w * n_o + pb.gang_o
    gorder = np.argsort(gkey, kind="stable")
    at: dict[tuple[int, int, int], int] = {
        (w, o, t): c
        for c, (w, o, t) in enumerate(zip(xw.tolist(), xo.tolist(), xt.tolist(), strict=True))
    }
    on_ot: dict[tuple[int, int], list[int]] = {}
    for c in np.argsort(-pb.price[xo], kind="stable").tolist():
        on_ot.setdefault((int(xo[c]), int(xt[c])), []).append(c)
    holder_any = np.zeros(n_o, dtype=bool)
    for g in pb.rofr:
        holder_any[g.holder_offers] = True
    cands_of = pb.candidates_by_gang()
    for g_i, g in enumerate(pb.rofr):
        t = g.period
        cols = col_of[g.subject]
        f_cols = cols[cols >= 0]
        gj = g.subject[cols < 0]
        want = pb.tw[gj] * n_o + pb.to[gj]
        pos = np.searchsorted(gkey[gorder], want) if len(gkey) else np.zeros(0, dtype=np.int64)
        ok = pos < len(gkey)
        ok[ok] &= gkey[gorder][pos[ok]] == want[ok]
        g_cols = y0 + gorder[pos[ok]]

        def used(
            f_cols: npt.NDArray[np.int64] = f_cols, g_cols: npt.NDArray[np.int64] = g_cols
        ) -> bool:
            return bool(values[f_cols].sum() > 1e-6 or (values[g_cols] > 0.5).any())

        if not used():
            continue
        # covered gang jobs on third-party capacity: onto a holder candidate with room
        for col in g_cols[values[g_cols] > 0.5].tolist():
            k = col - y0
            w = int(pb.gang_w[k])
            d = pb.demand[w]
            active = d > 0
            mine = cands_of.get(w, np.zeros(0, dtype=np.int64))
            offers = pb.gang_o[mine]
            room = holder_any[offers] & (residual[offers][:, active] >= d[active] - 1e-9).all(
                axis=1
            )
            if room.any():
                k2 = int(mine[room][int(np.argmin(model.cost[y0 + mine[room]]))])
                values[col] = 0.0
                values[y0 + k2] = 1.0
                residual[pb.gang_o[k]] += d
                residual[pb.gang_o[k2]] -= d
        if not used():
            continue
        for h in g.holder_offers.tolist():
            # own subject work first, dearest third-party capacity first
            for src in sorted(f_cols.tolist(), key=lambda c: -pb.price[xo[c]]):
                if residual[h, t] <= 1e-9:
                    break
                if values[src] <= 1e-9:
                    continue
                dst = at.get((int(xw[src]), h, t))
                if dst is None:
                    continue
                move = min(values[src], residual[h, t])
                values[src] -= move
                values[dst] += move
                residual[h, t] -= move
                residual[int(xo[src]), t] += move
            # then any fractional work that may run on h, moved off third-party offers
            if residual[h, t] > 1e-9:
                movable = {int(xw[c]) for c in on_ot.get((h, t), ())}
                for o in range(n_o):
                    if residual[h, t] <= 1e-9:
                        break
                    if holder_any[o]:
                        continue
                    for src in on_ot.get((o, t), ()):
                        w = int(xw[src])
                        if values[src] <= 1e-9 or w not in movable:
                            continue
                        dst = at.get((w, h, t))
                        if dst is None:
                            continue
                        move = min(values[src], residual[h, t])
                        values[src] -= move
                        values[dst] += move
                        residual[h, t] -= move
                        residual[o, t] += move
                        if residual[h, t] <= 1e-9:
                            break
        if used():
            if (residual[g.holder_offers, t] > 1e-6).any():
                return False
            values[z0 + g_i] = 1.0
    return True


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
) -> npt.NDArray[np.float64] | None:
    """The cheapest plan with the gang jobs where ``placed`` puts them: HiGHS on the
    fractional hours and the ROFR binaries (a MILP whose only integers are the ROFR groups'),
    over every fractional column or only ``columns``. None when no plan fits around those
    placements or time runs out.

    With ``free`` (gang candidate indices) the jobs of those candidates may also move to
    them (a neighbourhood of the placement); ``start`` is a plan to start from, e.g. the
    incumbent, whose columns are all kept."""
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
    )
    if res.values is None:
        return None
    out = np.zeros(model.n_cols)
    out[keep] = res.values
    return out
