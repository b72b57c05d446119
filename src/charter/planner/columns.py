"""Which columns the scale path's restricted LP starts from and adds: each row's cheapest,
a capacity-respecting placement's, penalties for the artificial columns, and the most
improving candidates per row (multiple pricing)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from charter.planner.model import Model
from charter.planner.problem import Problem

__all__ = ["capacity_greedy", "owners", "penalties", "per_owner", "start_columns"]

F = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def start_columns(model: Model, per_row: int) -> Ints:
    """The cheapest ``per_row`` columns of every demand and gang row; all z and s columns."""
    m = model.matrix.tocsr()
    chosen = [np.arange(model.s.start, model.n_cols)]
    for name, first, count in model.row_groups:
        if name not in ("demand", "gang") or not count:
            continue
        block = m[first : first + count]
        for r in range(count):
            cols = block.indices[block.indptr[r] : block.indptr[r + 1]]
            if len(cols) > per_row:
                cols = cols[np.argpartition(model.cost[cols], per_row)[:per_row]]
            chosen.append(cols)
    return np.unique(np.concatenate(chosen)).astype(np.int64)


def penalties(model: Model, rows: Ints) -> F:
    """Per equality row, ten times the dearest way to meet one unit of it."""
    m = model.matrix.tocsr()[rows]
    unit = np.abs(model.cost[m.indices]) / np.maximum(np.abs(m.data), 1e-12)
    worst = np.zeros(len(rows))
    counts = np.diff(m.indptr)
    if m.nnz:
        worst[counts > 0] = np.maximum.reduceat(unit, m.indptr[:-1][counts > 0])
    return 10.0 * np.maximum(worst, 1.0)


def capacity_greedy(pb: Problem, model: Model) -> Ints:
    """Columns of a quick capacity-respecting placement (clauses' masks respected, the rows
    of constraining clauses such as the ROFR's saturation not): gang jobs largest first on
    their cheapest candidate with room, then month by month each fractional group's demand
    on its cheapest offers with room. Used to seed column generation, so that its first
    duals are prices rather than penalties."""
    residual = pb.cap.copy()
    chosen: list[int] = []
    y0 = model.y.start
    n_o = len(pb.offers)
    # capacity conditional on a clause the plan settles goes last (a ROFR needs the holder
    # full first)
    sub = pb.t_settled
    gang_sub = np.isin(pb.gang_w * n_o + pb.gang_o, pb.tw[sub] * n_o + pb.to[sub])
    cands = pb.candidates_by_gang()
    if cands:
        ws = list(cands)
        sizes = [float(pb.demand[w].sum()) for w in ws]
        for i in np.argsort(sizes)[::-1]:
            w = ws[int(i)]
            ks = cands[w]
            d = pb.demand[w]
            active = d > 0
            offers = pb.gang_o[ks]
            room = (residual[offers][:, active] >= d[active]).all(axis=1)
            if not room.any():
                continue
            cost = model.cost[y0 + ks] + np.where(gang_sub[ks], np.inf, 0.0)
            if not np.isfinite(cost[room]).any():
                cost = model.cost[y0 + ks]
            k = ks[room][int(np.argmin(cost[room]))]
            residual[pb.gang_o[k]] -= d
            chosen.append(y0 + int(k))
    frac = model.frac
    xw, xo, xt = pb.tw[frac], pb.to[frac], pb.tt[frac]
    need = pb.demand.copy()
    order = np.lexsort((model.cost[model.x], sub[frac], xw, xt))
    for col in order.tolist():
        w, o, t = int(xw[col]), int(xo[col]), int(xt[col])
        if need[w, t] <= 1e-9 or residual[o, t] <= 1e-9:
            continue
        take = min(need[w, t], residual[o, t])
        need[w, t] -= take
        residual[o, t] -= take
        chosen.append(col)
    return np.array(chosen, dtype=np.int64)


def owners(pb: Problem, model: Model) -> Ints:
    """For every column, the demand or gang row it serves (-1 for z and s columns)."""
    n_t = len(pb.periods)
    out = np.full(model.n_cols, -1, dtype=np.int64)
    j = model.frac
    out[model.x] = pb.tw[j] * n_t + pb.tt[j]
    out[model.y] = len(pb.groups) * n_t + pb.gang_w
    return out


def per_owner(cand: Ints, gain: F, owner: Ints, *, per_row: int, limit: int) -> Ints:
    """The ``per_row`` most improving candidates of every row (multiple pricing: every row
    gets better columns at once), the most improving overall when that is over ``limit``."""
    order = np.lexsort((gain[cand], owner[cand]))
    c = cand[order]
    own = owner[c]
    first = np.r_[True, own[1:] != own[:-1]]
    rank = np.arange(len(c)) - np.maximum.accumulate(np.where(first, np.arange(len(c)), 0))
    picked = c[(rank < per_row) | (own < 0)]
    if len(picked) > limit:
        picked = picked[np.argpartition(gain[picked], limit)[:limit]]
    return picked
