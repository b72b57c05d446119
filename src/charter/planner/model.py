"""The mixed-integer model as arrays: its column blocks, its rows, its restrictions.

The solver (:mod:`.solver`, the only module that imports highspy) hands it to HiGHS.

Model (periods t are months; all quantities in accelerator-hours):

    minimise   Σ_j p_o(j) x_j + Σ_k (Σ_t p_o(k) d_w(k),t) y_k + Σ_c s_c
               + Σ_(w,l,t) q_l u_w,l,t + Σ_w (q_w Σ_t d_w,t) v_w
    subject to Σ_{j∈J(w,t)} x_j + Σ_l u_w,l,t = d_w,t      demand of fractional group w, month t
               Σ_{k∈K(w)} y_k + v_w = 1                    gang group w sits whole on one offer
               Σ_{j∈J(o,t)} x_j + Σ_{k∈K(o)} d_w(k),t y_k ≤ C_o,t     capacity of offer o in t
               Σ_{j,k on c's providers, t in c's window} p (x or d·y) + s_c ≥ A_c   commitment c
               rows of each clause that constrains plans, over x, y and its own columns z
               0 ≤ u_w,l,t ≤ d_w,l,t, x ≥ 0, s ≥ 0, y ∈ {0,1}; u and v exist only for
               workloads with an unmet-demand penalty (absent: demand must be met)

``j`` ranges over feasible (workload, offer, month) triples of fractional groups (infeasible
triples, those a clause denies, have no variable); ``k`` over gang candidates (an offer
feasible and large enough in every month of the window). A shortfall s_c is paid anyway, so
spend with the commitment holder is free up to A_c. Unmet demand (u, v: the block
:attr:`Model.u`) exists only for workloads that price it (``unmet_penalty``): a fractional
group leaves hours of a month unserved at the penalty q_l of each of its levels l (the
members that share a penalty, holding d_w,l,t of the month's demand), a gang group its whole
window at its q_w. A clause
that constrains plans (the ROFR, :mod:`charter.clauses.rofr.plan`, whose docstring writes its
rows out) adds its :class:`~charter.clauses.planning.PlanPart`: columns laid out after the
unmet demand and rows over a :class:`ModelArrays` view of the columns. The solver reports
its dual bound; the gap is (cost − bound) / cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from charter.clauses.planning import RowBlock
from charter.model import OfferSpec
from charter.planner.problem import Problem

__all__ = ["INF", "Model", "ModelArrays", "build_model", "submodel", "unmet_columns", "unmet_fill"]

F = npt.NDArray[np.float64]
INF = np.inf  # what HiGHS takes for "no bound" (highspy.kHighsInf is the float infinity)


@dataclass
class Model:
    """The MILP as arrays (column-wise bounds, costs, integrality; row-wise CSR matrix).

    Columns come in five blocks, in this order, each named by a slice: :attr:`x` the
    fractional hours of each feasible triple of a fractional group, :attr:`y` the gang
    choices (one binary per gang candidate), :attr:`s` the commitment shortfalls, :attr:`u`
    the unmet demand of workloads that price it, :attr:`z` the columns of the clauses that
    constrain plans (the ROFR's binaries), one slice of it per part of the problem in
    :attr:`part_columns`. ``n_x``, ``n_y``, ``n_s``, ``n_u``, ``n_z`` are the blocks' lengths.
    """

    cost: F
    lower: F
    upper: F
    integer: npt.NDArray[np.bool_]
    matrix: sp.csr_array
    row_lower: F
    row_upper: F
    # column layout
    n_x: int
    n_y: int
    n_s: int
    n_z: int
    frac: npt.NDArray[np.int64]  # triple index of each x column
    # row groups, for explanations: (name, first row, count)
    row_groups: list[tuple[str, int, int]]
    # each constraining part's own columns, parallel to Problem.parts (empty in a submodel)
    part_columns: list[slice]
    # the unmet-demand block: its length, and each column's group, month (-1: a gang
    # group's whole window) and level (index into the group's levels, cheapest first)
    n_u: int = 0
    unmet_w: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    unmet_t: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    unmet_level: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_cols(self) -> int:
        return len(self.cost)

    @property
    def x(self) -> slice:
        """The fractional hours: one column per feasible triple of a fractional group."""
        return slice(0, self.n_x)

    @property
    def y(self) -> slice:
        """The gang choices: one binary per gang candidate (index into gang_w / gang_o)."""
        return slice(self.n_x, self.n_x + self.n_y)

    @property
    def s(self) -> slice:
        """The commitment shortfalls: one column per commitment."""
        start = self.n_x + self.n_y
        return slice(start, start + self.n_s)

    @property
    def u(self) -> slice:
        """The unmet demand: hours of a (fractional group, month), or a gang group's whole
        window (binary), left unserved at the workload's penalty."""
        start = self.n_x + self.n_y + self.n_s
        return slice(start, start + self.n_u)

    @property
    def z(self) -> slice:
        """The columns of the clauses that constrain plans (one slice per part in
        :attr:`part_columns`)."""
        start = self.n_x + self.n_y + self.n_s + self.n_u
        return slice(start, start + self.n_z)


class _Rows:
    """The rows of the model as they are built: COO triplets, row bounds and named groups."""

    def __init__(self) -> None:
        self.rows: list[npt.NDArray[np.int64]] = []
        self.cols: list[npt.NDArray[np.int64]] = []
        self.vals: list[F] = []
        self.lower: list[F] = []
        self.upper: list[F] = []
        self.groups: list[tuple[str, int, int]] = []
        self.n = 0

    def add(self, name: str, r: Any, c: Any, v: Any, lower: F, upper: F) -> None:
        """Rows ``r`` (numbered from 0 within the group) with entries ``v`` at columns ``c``."""
        self.rows.append(np.asarray(r, dtype=np.int64) + self.n)
        self.cols.append(np.asarray(c, dtype=np.int64))
        self.vals.append(np.asarray(v, dtype=np.float64))
        self.lower.append(lower)
        self.upper.append(upper)
        self.groups.append((name, self.n, len(lower)))
        self.n += len(lower)

    def add_block(self, block: RowBlock) -> None:
        self.add(block.name, block.row, block.col, block.val, block.lower, block.upper)

    def matrix(self, n_cols: int) -> sp.csr_array:
        def cat(parts: list[Any], dtype: Any) -> Any:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        m = sp.csr_array(
            (cat(self.vals, np.float64), (cat(self.rows, np.int64), cat(self.cols, np.int64))),
            shape=(self.n, n_cols),
        )
        m.sum_duplicates()
        return m


def build_model(pb: Problem, row_form: str = "triple") -> Model:
    """Assemble the model of the module docstring from the problem's arrays.

    Args:
        row_form: how the parts of constraining clauses write rows that can be written
            either way (the ROFR's linking rows): ``triple`` (one row per subject triple),
            ``workload`` (one row per workload and group: far fewer rows, stronger where a
            workload spreads over several offers) or ``both``.
    """
    frac = np.flatnonzero(pb.fractional)
    gang_hours = pb.demand[pb.gang_w]  # k × t
    n_x, n_y, n_s = len(frac), len(pb.gang_w), len(pb.commitments)
    unmet_w, unmet_t, unmet_level = unmet_columns(pb)
    cost, lower, upper, integer, own = _columns(pb, frac, gang_hours, unmet_w, unmet_t, unmet_level)
    n_cols, y, s = len(cost), slice(n_x, n_x + n_y), slice(n_x + n_y, n_x + n_y + n_s)
    u = slice(s.stop, s.stop + len(unmet_w))
    rows = _Rows()
    _demand_and_gang_rows(pb, rows, frac, y.start, u.start, unmet_w, unmet_t)
    cap_block = _capacity_rows(pb, rows, frac, y.start, gang_hours, n_cols)
    _commitment_rows(pb, rows, frac, y.start, s.start, gang_hours)
    view = ModelArrays(pb, frac, y.start, cap_block)
    for part, cols in zip(pb.parts, own, strict=True):
        for block in part.rows(view, cols, row_form):
            rows.add_block(block)
    return Model(
        cost=cost,
        lower=lower,
        upper=upper,
        integer=integer,
        matrix=rows.matrix(n_cols),
        row_lower=np.concatenate(rows.lower) if rows.lower else np.zeros(0),
        row_upper=np.concatenate(rows.upper) if rows.upper else np.zeros(0),
        n_x=n_x,
        n_y=n_y,
        n_s=n_s,
        n_z=n_cols - u.stop,
        frac=frac,
        row_groups=rows.groups,
        part_columns=own,
        n_u=len(unmet_w),
        unmet_w=unmet_w,
        unmet_t=unmet_t,
        unmet_level=unmet_level,
    )


def unmet_columns(
    pb: Problem,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The unmet-demand block's columns as (group, month, level): one per level (distinct
    penalty, :meth:`~charter.planner.problem.Group.levels`) and month with demand of each
    fractional group whose workloads price unmet demand, then one per such gang group
    (month -1: its whole window; level 0)."""
    w_: list[int] = []
    t_: list[int] = []
    l_: list[int] = []
    gangs: list[int] = []
    for g in pb.groups:
        if not g.priced:
            continue
        if g.gang:
            gangs.append(g.index)
            continue
        for level, (_, members) in enumerate(g.levels):
            months = np.flatnonzero(g.member_demand[members].sum(axis=0) > 0)
            w_.extend([g.index] * len(months))
            t_.extend(months.tolist())
            l_.extend([level] * len(months))
    w = np.array([*w_, *gangs], dtype=np.int64)
    t = np.array([*t_, *([-1] * len(gangs))], dtype=np.int64)
    levels = np.array([*l_, *([0] * len(gangs))], dtype=np.int64)
    return w, t, levels


def unmet_fill(model: Model, left: F, unserved_gangs: npt.NDArray[np.int64]) -> F:
    """The unmet-demand block's values for demand ``left`` (groups × months) unserved and
    the gang groups ``unserved_gangs`` left whole: each (group, month)'s hours on its levels
    cheapest first, each level up to its own demand."""
    out = np.zeros(model.n_u)
    if not model.n_u:
        return out
    w, t, upper = model.unmet_w, model.unmet_t, model.upper[model.u]
    part = np.flatnonzero(t >= 0)
    if len(part):
        order = part[np.lexsort((model.cost[model.u][part], t[part], w[part]))]
        cells = w[order] * (left.shape[1] + 1) + t[order]
        before = np.cumsum(upper[order]) - upper[order]  # the levels' hours ahead of each
        first = np.r_[True, cells[1:] != cells[:-1]]
        before -= np.maximum.accumulate(np.where(first, before, 0.0))
        out[order] = np.clip(left[w[order], t[order]] - before, 0.0, upper[order])
    whole = np.isin(w, unserved_gangs) & (t < 0)
    out[whole] = 1.0
    return out


def _columns(
    pb: Problem,
    frac: npt.NDArray[np.int64],
    gang_hours: F,
    unmet_w: npt.NDArray[np.int64],
    unmet_t: npt.NDArray[np.int64],
    unmet_level: npt.NDArray[np.int64],
) -> tuple[F, F, F, npt.NDArray[np.bool_], list[slice]]:
    """The columns' costs, bounds and integrality in the blocks x, y, s, u, z, and each
    constraining part's own slice of z."""
    part_cols = [part.columns() for part in pb.parts]
    n_x, n_y, n_s = len(frac), len(pb.gang_w), len(pb.commitments)
    x = slice(0, n_x)
    y = slice(x.stop, x.stop + n_y)
    s = slice(y.stop, y.stop + n_s)
    u = slice(s.stop, s.stop + len(unmet_w))
    n_cols = u.stop + sum(len(c) for c in part_cols)
    cost = np.zeros(n_cols)
    cost[x] = pb.price[pb.to[frac]]
    cost[y] = (gang_hours * pb.price[pb.gang_o][:, None]).sum(axis=1)
    cost[s] = 1.0
    lower = np.zeros(n_cols)
    upper = np.full(n_cols, INF)
    upper[y] = 1.0
    integer = np.zeros(n_cols, dtype=bool)
    integer[y] = True
    if len(unmet_w):
        penalty = np.zeros(len(unmet_w))
        hours = np.zeros(len(unmet_w))
        whole = unmet_t < 0
        for i, (w, t, level) in enumerate(zip(unmet_w, unmet_t, unmet_level, strict=True)):
            q, members = pb.groups[int(w)].levels[int(level)]
            demand = pb.groups[int(w)].member_demand[members]
            penalty[i], hours[i] = q, demand.sum() if t < 0 else demand[:, t].sum()
        upper[u] = np.where(whole, 1.0, hours)
        integer[u] = whole
        # a fractional group's u is in hours (cost q per hour), a gang group's is 0 or 1
        cost[u] = np.where(whole, penalty * hours, penalty)
    own: list[slice] = []
    at = u.stop
    for c in part_cols:
        own.append(slice(at, at + len(c)))
        cost[own[-1]], upper[own[-1]], integer[own[-1]] = c.cost, c.upper, c.integer
        at += len(c)
    return cost, lower, upper, integer, own


def _demand_and_gang_rows(
    pb: Problem,
    rows: _Rows,
    frac: npt.NDArray[np.int64],
    y0: int,
    u0: int,
    unmet_w: npt.NDArray[np.int64],
    unmet_t: npt.NDArray[np.int64],
) -> None:
    """Demand rows (one per fractional group and month with demand) and gang rows (Σ y = 1
    per gang group), each with its unmet-demand column where the workload prices it; x
    columns start at 0, y columns at ``y0``, u columns at ``u0``."""
    n_x, n_y, n_t = len(frac), len(pb.gang_w), len(pb.periods)
    frac_groups = np.array([not g.gang for g in pb.groups], dtype=bool)
    dem_w, dem_t = np.nonzero((pb.demand > 0) & frac_groups[:, None])
    dem_index = np.full((len(pb.groups), n_t), -1, dtype=np.int64)
    dem_index[dem_w, dem_t] = np.arange(len(dem_w))
    need = pb.demand[dem_w, dem_t]
    part = unmet_t >= 0
    u_frac = np.flatnonzero(part)
    d_rows = np.concatenate(
        [dem_index[pb.tw[frac], pb.tt[frac]], dem_index[unmet_w[u_frac], unmet_t[u_frac]]]
    )
    d_cols = np.concatenate([np.arange(n_x), u0 + u_frac])
    rows.add("demand", d_rows, d_cols, np.ones(len(d_cols)), need, need)
    gang_groups = np.array([g.index for g in pb.groups if g.gang], dtype=np.int64)
    gang_index = np.full(len(pb.groups), -1, dtype=np.int64)
    gang_index[gang_groups] = np.arange(len(gang_groups))
    one = np.ones(len(gang_groups))
    u_gang = np.flatnonzero(~part)
    g_rows = np.concatenate([gang_index[pb.gang_w], gang_index[unmet_w[u_gang]]])
    g_cols = np.concatenate([np.arange(n_y) + y0, u0 + u_gang])
    rows.add("gang", g_rows, g_cols, np.ones(len(g_cols)), one, one)


def _capacity_rows(
    pb: Problem, rows: _Rows, frac: npt.NDArray[np.int64], y0: int, gang_hours: F, n_cols: int
) -> tuple[npt.NDArray[np.int64], sp.csr_array]:
    """Capacity rows, one per (offer, month) with capacity; returns the (offer, month) → row
    index and the rows' block, which :meth:`ModelArrays.load` reads."""
    n_x = len(frac)
    xo, xt = pb.to[frac], pb.tt[frac]
    cap_o, cap_t = np.nonzero(pb.cap > 0)
    cap_index = np.full(pb.cap.shape, -1, dtype=np.int64)
    cap_index[cap_o, cap_t] = np.arange(len(cap_o))
    gk, gt = np.nonzero(gang_hours > 0)
    cap_r = np.concatenate([cap_index[xo, xt], cap_index[pb.gang_o[gk], gt]])
    cap_c = np.concatenate([np.arange(n_x), gk + y0])
    cap_v = np.concatenate([np.ones(n_x), gang_hours[gk, gt]])
    rows.add("capacity", cap_r, cap_c, cap_v, np.full(len(cap_o), -INF), pb.cap[cap_o, cap_t])
    return cap_index, sp.csr_array((cap_v, (cap_r, cap_c)), shape=(len(cap_o), n_cols))


def _commitment_rows(
    pb: Problem, rows: _Rows, frac: npt.NDArray[np.int64], y0: int, s0: int, gang_hours: F
) -> None:
    """One row per commitment: spend on its providers in its window plus its shortfall."""
    if not pb.commitments:
        return
    xo, xt = pb.to[frac], pb.tt[frac]
    provider = np.array([o.provider for o in pb.offers])
    c_r, c_c, c_v = [], [], []
    for i, c in enumerate(pb.commitments):
        on = np.isin(provider, c.providers)
        sel = np.flatnonzero(on[xo] & c.periods[xt])
        c_r.append(np.full(len(sel), i))
        c_c.append(sel)
        c_v.append(pb.price[xo[sel]])
        gsel = np.flatnonzero(on[pb.gang_o])
        if len(gsel):
            spend = (gang_hours[gsel] * c.periods[None, :]).sum(axis=1) * pb.price[pb.gang_o[gsel]]
            c_r.append(np.full(len(gsel), i))
            c_c.append(gsel + y0)
            c_v.append(spend)
        c_r.append(np.array([i]))
        c_c.append(np.array([s0 + i]))
        c_v.append(np.array([1.0]))
    rows.add(
        "commitment",
        np.concatenate(c_r),
        np.concatenate(c_c),
        np.concatenate(c_v),
        np.array([c.amount for c in pb.commitments]),
        np.full(len(pb.commitments), INF),
    )


class ModelArrays:
    """The :class:`~charter.clauses.planning.ModelView` of a model's columns that the parts
    of constraining clauses write their rows and read their solutions over."""

    def __init__(
        self,
        pb: Problem,
        frac: npt.NDArray[np.int64],
        y0: int,
        cap_block: tuple[npt.NDArray[np.int64], sp.csr_array] | None = None,
    ) -> None:
        self.offers: tuple[OfferSpec, ...] = pb.offers
        self.period_labels = tuple(p.label for p in pb.periods)
        self.n_groups = len(pb.groups)
        self.tw, self.to, self.tt = pb.tw, pb.to, pb.tt
        self.demand, self.cap = pb.demand, pb.cap
        self._pb, self._frac, self._y0, self._cap_block = pb, frac, y0, cap_block

    def workload(self, group: int) -> str:
        return self._pb.groups[group].members[0]

    def columns_of(
        self, triples: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """A fractional triple's column is its x (x columns start at 0, one per triple in
        ``frac``); a gang triple's is the y of its (workload, offer) candidate (a gang
        triple without a candidate has no column)."""
        pb, n_o = self._pb, len(self._pb.offers)
        triple_col = np.full(len(pb.tw), -1, dtype=np.int64)
        triple_col[self._frac] = np.arange(len(self._frac))
        col = triple_col[triples]
        gkey = pb.gang_w * n_o + pb.gang_o
        found = (col < 0) & (len(gkey) > 0)
        if len(gkey):
            gorder = np.argsort(gkey, kind="stable")
            want = pb.tw[triples] * n_o + pb.to[triples]
            pos = np.minimum(np.searchsorted(gkey[gorder], want), len(gkey) - 1)
            found &= gkey[gorder][pos] == want
            col = np.where(found, self._y0 + gorder[pos], col)
        return col >= 0, col, found

    def load(self, offers: npt.NDArray[np.int64], months: npt.NDArray[np.int64]) -> sp.coo_array:
        if self._cap_block is None:
            raise ValueError("the model's capacity rows are not known to this view")
        cap_index, block = self._cap_block
        return block[cap_index[offers, months]].tocoo()


def submodel(model: Model, cols: npt.NDArray[np.int64]) -> Model:
    """The model restricted to some of its columns (same rows); layout fields keep counts of
    the kept x, y, s, u and z columns in that order."""
    cols = np.sort(cols)

    def kept(block: slice) -> int:
        return int(((cols >= block.start) & (cols < block.stop)).sum())

    n_x, n_y, n_s, n_u = kept(model.x), kept(model.y), kept(model.s), kept(model.u)
    u_kept = cols[(cols >= model.u.start) & (cols < model.u.stop)] - model.u.start
    # (the parts' column slices do not survive the restriction: part_columns is empty)
    return Model(
        cost=model.cost[cols],
        lower=model.lower[cols],
        upper=model.upper[cols],
        integer=model.integer[cols],
        matrix=sp.csr_array(model.matrix.tocsc()[:, cols]),
        row_lower=model.row_lower,
        row_upper=model.row_upper,
        n_x=n_x,
        n_y=n_y,
        n_s=n_s,
        n_z=len(cols) - n_x - n_y - n_s - n_u,
        frac=model.frac[cols[:n_x]],
        row_groups=model.row_groups,
        part_columns=[],
        n_u=n_u,
        unmet_w=model.unmet_w[u_kept],
        unmet_t=model.unmet_t[u_kept],
        unmet_level=model.unmet_level[u_kept],
    )
