"""A cheapest-first greedy that respects the ROFR, kept as the baseline and as a warm start.

Gang groups first (largest first), each on its cheapest candidate offer with room in every
month; then, month by month, fractional demand on the cheapest feasible offers, trying the
holder's and unrestricted offers before third-party capacity subject to a ROFR. The result is
checked against the ROFR's saturation rule; a greedy plan that breaks it is not returned.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from charter.planner.problem import Problem, RofrGroup
from charter.planner.solver import Model

__all__ = ["greedy"]


def greedy(pb: Problem, model: Model) -> npt.NDArray[np.float64] | None:
    """A feasible column vector for ``model``, or None when the greedy finds none."""
    residual = pb.cap.copy()
    values = np.zeros(model.n_cols)
    y0 = model.n_x
    s0 = y0 + model.n_y
    z0 = s0 + model.n_s
    subject = pb.t_rofr >= 0

    # gang groups
    gang_ids = sorted({int(w) for w in pb.gang_w}, key=lambda w: -float(pb.demand[w].sum()))
    placed: set[int] = set()
    for w in gang_ids:
        cands = np.flatnonzero(pb.gang_w == w)
        d = pb.demand[w]
        active = d > 0

        def key(k: int, w: int = w, d: npt.NDArray[np.float64] = d) -> tuple[bool, float]:
            o = int(pb.gang_o[k])
            sub = bool(subject[(pb.tw == w) & (pb.to == o)].any())
            return (sub, float((d * pb.price[o]).sum()))

        for k in sorted(cands.tolist(), key=key):
            o = int(pb.gang_o[k])
            if (residual[o, active] >= d[active]).all():
                residual[o] -= d
                values[y0 + k] = 1.0
                placed.add(w)
                break
        else:
            return None
    if len(set(int(g.index) for g in pb.groups if g.gang)) != len(placed):
        return None

    # fractional groups, month by month, least flexible first, cheapest offers first
    frac = model.frac
    xw, xo, xt = pb.tw[frac], pb.to[frac], pb.tt[frac]
    xsub = subject[frac]
    need = pb.demand.copy()
    frac_groups = np.array([not g.gang for g in pb.groups], dtype=bool)
    by_wt: dict[tuple[int, int], list[int]] = {}
    for col in np.lexsort((pb.price[xo], xsub)):
        by_wt.setdefault((int(xw[col]), int(xt[col])), []).append(int(col))
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
        return None

    # ROFR: third-party use only where the holder's reachable capacity is full; where it is
    # not, move work (subject third-party work first) onto the holder's free capacity
    col_of = np.full(len(pb.tw), -1, dtype=np.int64)
    col_of[frac] = np.arange(model.n_x)
    cols_on: dict[tuple[int, int], list[int]] = {}
    for col in range(model.n_x):
        cols_on.setdefault((int(xw[col]), int(xt[col])), []).append(col)
    for g_i, g in enumerate(pb.rofr):
        t = g.period

        def subject_use(g: RofrGroup = g) -> float:
            used = 0.0
            for j in g.subject:
                c = col_of[j]
                if c >= 0:
                    used += values[c]
                else:
                    ks = np.flatnonzero((pb.gang_w == pb.tw[j]) & (pb.gang_o == pb.to[j]))
                    used += float(values[y0 + ks].sum()) if len(ks) else 0.0
            return used

        if subject_use() <= 1e-6:
            continue
        for h in g.holder_offers:
            for j in sorted(g.subject, key=lambda j: -pb.price[pb.to[j]]):
                if residual[h, t] <= 1e-9:
                    break
                src = col_of[j]
                if src < 0 or values[src] <= 1e-9:
                    continue
                w = int(pb.tw[j])
                dst = next((c for c in cols_on.get((w, t), ()) if int(xo[c]) == h), None)
                if dst is None:
                    continue
                move = min(values[src], residual[h, t])
                values[src] -= move
                values[dst] += move
                residual[h, t] -= move
                residual[int(pb.to[j]), t] += move
        if subject_use() > 1e-6:
            if (residual[g.holder_offers, t] > 1e-6).any():
                return None
            values[z0 + g_i] = 1.0

    # commitments: shortfall is what the plan does not spend
    spend = model.matrix @ np.where(np.arange(model.n_cols) < s0, values, 0.0)
    for name, first, count in model.row_groups:
        if name == "commitment":
            for c in range(count):
                values[s0 + c] = max(0.0, model.row_lower[first + c] - spend[first + c])
    return values
