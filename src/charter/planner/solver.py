"""The mixed-integer model and its solution with HiGHS. Only module that imports highspy.

Model (periods t are months; all quantities in accelerator-hours):

    minimise   Σ_j p_o(j) x_j + Σ_k (Σ_t p_o(k) d_w(k),t) y_k + Σ_c s_c
    subject to Σ_{j∈J(w,t)} x_j = d_w,t                    demand of fractional group w, month t
               Σ_{k∈K(w)} y_k = 1                          gang group w sits whole on one offer
               Σ_{j∈J(o,t)} x_j + Σ_{k∈K(o)} d_w(k),t y_k ≤ C_o,t     capacity of offer o in t
               Σ_{j,k on c's providers, t in c's window} p (x or d·y) + s_c ≥ A_c   commitment c
               x_j ≤ min(d_w,t, C_o,t) z_g   for each third-party triple j subject to ROFR group g
               y_k ≤ z_g                     for each gang candidate k subject to g in month t
               load_h,t ≥ C_h,t z_g          for each reachable holder offer h of g
               x ≥ 0, s ≥ 0, y ∈ {0,1}, z ∈ {0,1}

``j`` ranges over feasible (workload, offer, month) triples of fractional groups (infeasible
triples, those a clause denies, have no variable); ``k`` over gang candidates (an offer
feasible and large enough in every month of the window). A ROFR group g = (clause, family,
month, holder offers): its workloads may use third-party capacity of the family only when
z_g = 1, which forces every holder offer of that family they could reach to be full ("saturate
only reachable capacity": groups are per workload, merged where they reach the same holder
offers); the per-triple linking rows with the tight bound min(d, C) replace a
single big-M row and keep the LP bound close. A shortfall s_c is paid anyway, so spend with
the commitment holder is free up to A_c. The solver reports its dual bound; the gap is
(cost − bound) / cost.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from charter.planner.problem import Problem

__all__ = [
    "LpSession",
    "Model",
    "Solution",
    "build_model",
    "inconsistency",
    "new_highs",
    "solve",
    "submodel",
]

F = npt.NDArray[np.float64]
INF = highspy.kHighsInf
# a solution's cost recomputed from its values may differ from the solver's objective by
# rounding only; HiGHS's primal feasibility tolerance is 1e-7 (relative to the row's size)
COST_TOLERANCE = 1e-7
FEASIBILITY_TOLERANCE = 1e-6


@dataclass
class Model:
    """The MILP as arrays (column-wise bounds, costs, integrality; row-wise CSR matrix)."""

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

    @property
    def n_cols(self) -> int:
        return len(self.cost)


@dataclass
class Solution:
    status: str  # optimal | feasible | infeasible | time-limit-no-solution | error
    objective: float | None
    bound: float | None
    values: F | None
    seconds: float
    nodes: int
    gap: float | None
    # row duals of an LP relaxation (``solve(relax=True)``), also when it was interrupted
    duals: F | None = None
    # column values of an interrupted LP iterate: not a plan (rows may be violated), a guide
    iterate: F | None = None
    # what went wrong with a first answer HiGHS gave and how it was recovered, for the notes
    recovered: str | None = None
    # why HiGHS's answer was refused (it failed :func:`inconsistency`): no plan is made of it
    rejected: str | None = None


_STDOUT_LOCK = threading.Lock()


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Point file descriptor 1 at /dev/null for the block (C-level writes included).

    Some HiGHS releases print a banner while ``highspy.Highs()`` is constructed, before any
    option can be set; ``charter plan --json`` must write nothing but JSON to stdout.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no real stdout (captured): nothing to do
        yield
        return
    with _STDOUT_LOCK:
        sys.stdout.flush()
        saved = os.dup(fd)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
            yield
        finally:
            _flush_c_stdio()
            os.dup2(saved, fd)
            os.close(saved)
            os.close(devnull)


def _flush_c_stdio() -> None:
    """Flush the C library's stdio buffers, so that what HiGHS wrote there goes to /dev/null."""
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(None).fflush(None)


def new_highs() -> highspy.Highs:
    """A HiGHS instance that writes nothing to stdout, from its construction on."""
    with _stdout_silenced():
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    return h


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


def build_model(pb: Problem, rofr_rows: str = "triple") -> Model:
    """Assemble the model of the module docstring from the problem's arrays.

    Args:
        rofr_rows: how third-party use is linked to z_g: ``triple`` (one row per subject
            triple, x_j ≤ min(d, C) z_g), ``workload`` (one row per workload and group,
            Σ_o x ≤ d z_g: far fewer rows, stronger where a workload spreads over several
            third-party offers) or ``both``.
    """
    frac_mask = pb.fractional
    frac = np.flatnonzero(frac_mask)
    n_x, n_y = len(frac), len(pb.gang_w)
    n_s, n_z = len(pb.commitments), len(pb.rofr)
    x0, y0, s0, z0 = 0, n_x, n_x + n_y, n_x + n_y + n_s
    n_cols = z0 + n_z
    n_t = len(pb.periods)
    xw, xo, xt = pb.tw[frac], pb.to[frac], pb.tt[frac]

    cost = np.zeros(n_cols)
    cost[x0:y0] = pb.price[xo]
    gang_hours = pb.demand[pb.gang_w]  # k × t
    cost[y0:s0] = (gang_hours * pb.price[pb.gang_o][:, None]).sum(axis=1)
    cost[s0:z0] = 1.0
    lower = np.zeros(n_cols)
    upper = np.full(n_cols, INF)
    upper[y0:s0] = 1.0
    upper[z0:] = 1.0
    integer = np.zeros(n_cols, dtype=bool)
    integer[y0:s0] = True
    integer[z0:] = True

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    groups: list[tuple[str, int, int]] = []
    n_rows = 0

    def add(name: str, r: np.ndarray, c: np.ndarray, v: np.ndarray, rl: F, ru: F) -> None:
        nonlocal n_rows
        rows.append(r + n_rows)
        cols.append(c)
        vals.append(v)
        lo.append(rl)
        hi.append(ru)
        groups.append((name, n_rows, len(rl)))
        n_rows += len(rl)

    # demand rows: one per (fractional group, month) with demand
    frac_groups = np.array([not g.gang for g in pb.groups], dtype=bool)
    dem_w, dem_t = np.nonzero((pb.demand > 0) & frac_groups[:, None])
    dem_index = np.full((len(pb.groups), n_t), -1, dtype=np.int64)
    dem_index[dem_w, dem_t] = np.arange(len(dem_w))
    r = dem_index[xw, xt]
    add(
        "demand",
        r,
        np.arange(n_x) + x0,
        np.ones(n_x),
        pb.demand[dem_w, dem_t],
        pb.demand[dem_w, dem_t],
    )

    # gang rows: Σ y = 1 per gang group
    gang_groups = np.array([g.index for g in pb.groups if g.gang], dtype=np.int64)
    gang_index = np.full(len(pb.groups), -1, dtype=np.int64)
    gang_index[gang_groups] = np.arange(len(gang_groups))
    add(
        "gang",
        gang_index[pb.gang_w],
        np.arange(n_y) + y0,
        np.ones(n_y),
        np.ones(len(gang_groups)),
        np.ones(len(gang_groups)),
    )

    # capacity rows: one per (offer, month) with capacity
    cap_o, cap_t = np.nonzero(pb.cap > 0)
    cap_index = np.full(pb.cap.shape, -1, dtype=np.int64)
    cap_index[cap_o, cap_t] = np.arange(len(cap_o))
    gk, gt = np.nonzero(gang_hours > 0)
    cap_r = np.concatenate([cap_index[xo, xt], cap_index[pb.gang_o[gk], gt]])
    cap_c = np.concatenate([np.arange(n_x) + x0, gk + y0])
    cap_v = np.concatenate([np.ones(n_x), gang_hours[gk, gt]])
    add("capacity", cap_r, cap_c, cap_v, np.full(len(cap_o), -INF), pb.cap[cap_o, cap_t])
    cap_block = (cap_index, sp.csr_array((cap_v, (cap_r, cap_c)), shape=(len(cap_o), n_cols)))

    # commitment rows
    provider = np.array([o.provider for o in pb.offers])
    c_r, c_c, c_v = [], [], []
    for i, c in enumerate(pb.commitments):
        on = np.isin(provider, c.providers)
        sel = np.flatnonzero(on[xo] & c.periods[xt])
        c_r.append(np.full(len(sel), i))
        c_c.append(sel + x0)
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
    if pb.commitments:
        add(
            "commitment",
            np.concatenate(c_r),
            np.concatenate(c_c),
            np.concatenate(c_v),
            np.array([c.amount for c in pb.commitments]),
            np.full(len(pb.commitments), INF),
        )

    # ROFR rows: linking (third-party subject use only with z_g = 1) and saturation
    if pb.rofr and n_z:
        _rofr_rows(pb, add, rofr_rows, frac, n_x, x0, y0, z0, gang_hours, cap_block)

    matrix = sp.csr_array(
        (
            np.concatenate(vals) if vals else np.zeros(0),
            (
                np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, dtype=np.int64),
                np.concatenate(cols).astype(np.int64) if cols else np.zeros(0, dtype=np.int64),
            ),
        ),
        shape=(n_rows, n_cols),
    )
    matrix.sum_duplicates()
    return Model(
        cost=cost,
        lower=lower,
        upper=upper,
        integer=integer,
        matrix=matrix,
        row_lower=np.concatenate(lo) if lo else np.zeros(0),
        row_upper=np.concatenate(hi) if hi else np.zeros(0),
        n_x=n_x,
        n_y=n_y,
        n_s=n_s,
        n_z=n_z,
        frac=frac,
        row_groups=groups,
    )


def subject_columns(
    pb: Problem, frac: npt.NDArray[np.int64], n_x: int, x0: int, y0: int
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.bool_],
]:
    """Every ROFR-subject triple that has a column: (group, triple, month, column, is gang).

    A fractional triple's column is its x; a gang triple's is the y of its (workload, offer)
    candidate (a gang triple without a candidate has no column and is dropped)."""
    n_o = len(pb.offers)
    if not pb.rofr:
        e = np.zeros(0, dtype=np.int64)
        return e, e, e, e, np.zeros(0, dtype=bool)
    triple_col = np.full(len(pb.tw), -1, dtype=np.int64)
    triple_col[frac] = np.arange(n_x) + x0
    gkey = pb.gang_w * n_o + pb.gang_o
    gorder = np.argsort(gkey, kind="stable")
    sizes = np.array([len(g.subject) for g in pb.rofr], dtype=np.int64)
    g_of = np.repeat(np.arange(len(pb.rofr)), sizes)
    j = np.concatenate([g.subject for g in pb.rofr]).astype(np.int64)
    t_of = np.array([g.period for g in pb.rofr], dtype=np.int64)[g_of]
    col = triple_col[j]
    want = pb.tw[j] * n_o + pb.to[j]
    found = (col < 0) & (len(gkey) > 0)
    if len(gkey):
        pos = np.minimum(np.searchsorted(gkey[gorder], want), len(gkey) - 1)
        found &= gkey[gorder][pos] == want
        col = np.where(found, y0 + gorder[pos], col)
    keep = col >= 0
    return g_of[keep], j[keep], t_of[keep], col[keep], found[keep]


def _rofr_rows(
    pb: Problem,
    add: Any,
    mode: str,
    frac: npt.NDArray[np.int64],
    n_x: int,
    x0: int,
    y0: int,
    z0: int,
    gang_hours: F,
    cap_block: tuple[npt.NDArray[np.int64], sp.csr_array],
) -> None:
    """Linking and saturation rows of the ROFR groups (vectorized)."""
    g_of, j, t_of, col, is_gang = subject_columns(pb, frac, n_x, x0, y0)
    z = z0 + g_of
    d = pb.demand[pb.tw[j], t_of]
    if mode in ("triple", "both"):
        bound = np.where(is_gang, 1.0, np.minimum(d, pb.cap[pb.to[j], t_of]))
        n = len(j)
        add(
            "rofr-link",
            np.repeat(np.arange(n), 2),
            np.column_stack([col, z]).ravel(),
            np.column_stack([np.ones(n), -bound]).ravel(),
            np.full(n, -INF),
            np.zeros(n),
        )
    if mode in ("workload", "both"):
        pair = g_of * len(pb.groups) + pb.tw[j]
        uniq, row = np.unique(pair, return_inverse=True)
        n = len(uniq)
        gw, ww = uniq // len(pb.groups), uniq % len(pb.groups)
        dw = pb.demand[ww, np.array([g.period for g in pb.rofr], dtype=np.int64)[gw]]
        coef = np.where(is_gang, d, 1.0)
        add(
            "rofr-link",
            np.concatenate([row, np.arange(n)]),
            np.concatenate([col, z0 + gw]),
            np.concatenate([coef, -dw]),
            np.full(n, -INF),
            np.zeros(n),
        )
    # saturation: for each group and reachable holder offer h, load(h, t) ≥ C(h, t) z_g
    cap_index, block = cap_block
    hs = [(g_i, int(h), g.period) for g_i, g in enumerate(pb.rofr) for h in g.holder_offers]
    if not hs:
        return
    gi = np.array([x[0] for x in hs], dtype=np.int64)
    ho = np.array([x[1] for x in hs], dtype=np.int64)
    ht = np.array([x[2] for x in hs], dtype=np.int64)
    rows = block[cap_index[ho, ht]].tocoo()
    add(
        "rofr-saturate",
        np.concatenate([rows.row, np.arange(len(hs))]).astype(np.int64),
        np.concatenate([rows.col, z0 + gi]).astype(np.int64),
        np.concatenate([rows.data, -pb.cap[ho, ht]]),
        np.zeros(len(hs)),
        np.full(len(hs), INF),
    )


def _interrupts(h: highspy.Highs, deadline: float | None, stop_at: float | None) -> None:
    """Stop HiGHS at ``deadline`` (perf_counter) or once its plan costs ≤ ``stop_at``."""
    if deadline is None and stop_at is None:
        return

    def late(e: Any) -> None:
        if deadline is not None and time.perf_counter() > deadline:
            e.interrupt()

    def mip(e: Any) -> None:
        late(e)
        if stop_at is not None and e.data_out.mip_primal_bound <= stop_at:
            e.interrupt()

    h.cbSimplexInterrupt.subscribe(late)
    h.cbIpmInterrupt.subscribe(late)
    h.cbMipInterrupt.subscribe(mip)


def submodel(model: Model, cols: npt.NDArray[np.int64]) -> Model:
    """The model restricted to some of its columns (same rows); layout fields keep counts of
    the kept x, y, s and z columns in that order."""
    cols = np.sort(cols)
    n_x = int((cols < model.n_x).sum())
    n_y = int(((cols >= model.n_x) & (cols < model.n_x + model.n_y)).sum())
    s0 = model.n_x + model.n_y
    n_s = int(((cols >= s0) & (cols < s0 + model.n_s)).sum())
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
        n_z=len(cols) - n_x - n_y - n_s,
        frac=model.frac[cols[:n_x]],
        row_groups=model.row_groups,
    )


class LpSession:
    """The LP relaxation over a growing subset of the model's columns (column generation).

    Equality rows listed in ``artificial_rows`` get a slack pair at ``penalty`` (per row) so
    that every restricted LP is feasible. HiGHS keeps its basis when columns are added.
    """

    def __init__(
        self,
        model: Model,
        cols: npt.NDArray[np.int64],
        upper: F,
        *,
        artificial_rows: npt.NDArray[np.int64],
        penalty: F,
    ) -> None:
        self.model = model
        self.lower = model.lower.copy()
        self.upper = upper.copy()
        self.csc = sp.csc_array(model.matrix)
        self.cols: list[npt.NDArray[np.int64]] = []
        # each model column's index among the LP's columns, -1 while it is not in the LP
        self.pos = np.full(model.n_cols, -1, dtype=np.int64)
        h = new_highs()
        # added columns leave the basis primal feasible: primal simplex re-solves fastest
        h.setOptionValue("simplex_strategy", 4)
        m = model.matrix
        n_rows = m.shape[0]
        h.addRows(
            n_rows,
            model.row_lower,
            model.row_upper,
            0,
            np.zeros(n_rows + 1, dtype=np.int32),
            np.zeros(0, dtype=np.int32),
            np.zeros(0),
        )
        # artificial slacks: +1 and -1 on each listed row
        n_a = len(artificial_rows)
        if n_a:
            rows = np.concatenate([artificial_rows, artificial_rows]).astype(np.int32)
            vals = np.concatenate([np.ones(n_a), -np.ones(n_a)])
            h.addCols(
                2 * n_a,
                np.concatenate([penalty, penalty]),
                np.zeros(2 * n_a),
                np.full(2 * n_a, INF),
                2 * n_a,
                np.arange(2 * n_a, dtype=np.int32),
                rows,
                vals,
            )
        self.n_art = 2 * n_a
        self.n_lp = self.n_art
        self.h = h
        self.deadline = INF
        self._deadline_set = False
        self.add(cols)

    def add(self, cols: npt.NDArray[np.int64]) -> None:
        cols = np.asarray(cols, dtype=np.int64)
        cols = cols[self.pos[cols] < 0]
        if not len(cols):
            return
        block = self.csc[:, cols]
        block = sp.csc_array(block)
        self.h.addCols(
            len(cols),
            self.model.cost[cols],
            self.lower[cols],
            self.upper[cols],
            block.nnz,
            block.indptr[:-1].astype(np.int32),
            block.indices.astype(np.int32),
            block.data,
        )
        self.cols.append(cols)
        self.pos[cols] = np.arange(self.n_lp, self.n_lp + len(cols))
        self.n_lp += len(cols)

    def run(self, time_limit: float) -> str:
        # HiGHS's clock runs across calls: the limit is on its cumulative run time
        self.h.setOptionValue("time_limit", self.h.getRunTime() + float(max(time_limit, 0.1)))
        if not self._deadline_set:
            self._deadline_set = True

            def late(e: Any) -> None:
                if time.perf_counter() > self.deadline:
                    e.interrupt()

            self.h.cbSimplexInterrupt.subscribe(late)
        self.deadline = time.perf_counter() + float(max(time_limit, 0.1))
        ran = self.h.run()
        status = self.h.getModelStatus()
        if ran == highspy.HighsStatus.kError:
            return f"error ({self.h.modelStatusToString(status)})"
        if status == highspy.HighsModelStatus.kOptimal:
            return "optimal"
        return self.h.modelStatusToString(status)

    def duals(self) -> F:
        return np.array(self.h.getSolution().row_dual)

    def objective(self) -> float:
        return float(self.h.getInfo().objective_function_value)

    def values(self) -> F | None:
        """Column values of the full model (0 for columns not in the LP)."""
        sol = self.h.getSolution()
        if not sol.value_valid:
            return None
        v = np.array(sol.col_value)[self.n_art :]
        out = np.zeros(self.model.n_cols)
        if self.cols:
            out[np.concatenate(self.cols)] = v
        return out


def solve(
    model: Model,
    *,
    time_limit: float = 60.0,
    gap: float = 1e-3,
    start: F | None = None,
    partial: tuple[npt.NDArray[np.int64], F] | None = None,
    relax: bool = False,
    threads: int | None = None,
    options: dict[str, Any] | None = None,
    deadline: float | None = None,
    stop_at: float | None = None,
) -> Solution:
    """Solve with HiGHS; the outcome is a status, never an exception.

    Every solution is checked against the model before it is returned (:func:`inconsistency`):
    its recomputed cost must equal HiGHS's objective and it must keep every row, bound and
    integrality. A warm-started answer that fails the check (highspy 1.16.0 reports the
    objective of its presolved search but hands back the start vector) is solved again without
    the start; an answer that still fails is an ``error`` status with the reason, never a plan.

    Args:
        start: a feasible assignment of all columns to start from (e.g. the greedy plan).
        partial: (columns, values) of a partial start (e.g. a previous plan's placements);
            HiGHS completes it.
        relax: solve the LP relaxation only.
        deadline: a ``time.perf_counter()`` instant at which to stop, enforced through HiGHS's
            interrupt callbacks (its own ``time_limit`` is checked too seldom in long root
            LPs and cut rounds).
        stop_at: stop as soon as a plan costs no more than this (a gap measured against a
            bound HiGHS does not know, e.g. the scale path's Lagrangian bound).
    """
    m = model.matrix
    if m.shape[0]:
        empty = np.diff(m.indptr) == 0
        if (empty & ((model.row_lower > 1e-9) | (model.row_upper < -1e-9))).any():
            # a demand (or gang) row with nothing that could meet it
            return Solution("infeasible", None, None, None, 0.0, 0, None)
    t0 = time.perf_counter()
    args = (time_limit, gap, relax, threads, options, deadline, stop_at)
    sol = _solve_once(model, *args, start=start, partial=partial)
    problem = _check(model, sol, relax)
    if problem is not None and (start is not None or partial is not None):
        first = problem
        left = time_limit - (time.perf_counter() - t0)
        if deadline is not None:
            left = min(left, deadline - time.perf_counter())
        # a cold solve gets at least a few seconds: small models need far less
        retry = max(left, 5.0)
        args = (retry, gap, relax, threads, options, time.perf_counter() + retry, stop_at)
        sol = _solve_once(model, *args, start=None, partial=None)
        problem = _check(model, sol, relax)
        how = "solved again without the start"
        if sol.values is None and start is not None and _check_values(model, start) is None:
            # the cold solve found nothing in the time left: the start is still a plan
            cost = float(model.cost @ start)
            gap_value = None if sol.bound is None else _gap(cost, sol.bound)
            sol = Solution("feasible", cost, sol.bound, start, 0.0, sol.nodes, gap_value)
            how = "the cold solve found no plan in time; the start is kept"
            problem = None
        sol.recovered = f"HiGHS's warm-started answer was rejected ({first}); {how}"
    if problem is not None:
        sol = Solution(f"error: {problem}", None, None, None, sol.seconds, sol.nodes, None)
        sol.rejected = problem
    sol.seconds = time.perf_counter() - t0
    return sol


def _check(model: Model, sol: Solution, relax: bool) -> str | None:
    if sol.values is None:
        return None
    return inconsistency(model, sol.values, sol.objective, integral=not relax)


def _check_values(model: Model, values: F) -> str | None:
    return inconsistency(model, values, None)


def _gap(objective: float, bound: float) -> float:
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))


def _solve_once(
    model: Model,
    time_limit: float,
    gap: float,
    relax: bool,
    threads: int | None,
    options: dict[str, Any] | None,
    deadline: float | None,
    stop_at: float | None,
    *,
    start: F | None,
    partial: tuple[npt.NDArray[np.int64], F] | None,
) -> Solution:
    m = model.matrix
    h = new_highs()
    h.setOptionValue("time_limit", float(max(time_limit, 0.0)))
    h.setOptionValue("mip_rel_gap", float(gap))
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    n = model.n_cols
    h.addVars(n, model.lower, model.upper)
    if n:
        h.changeColsCost(n, np.arange(n, dtype=np.int32), model.cost)
    if m.shape[0]:
        h.addRows(
            m.shape[0],
            model.row_lower,
            model.row_upper,
            m.nnz,
            m.indptr.astype(np.int32),
            m.indices.astype(np.int32),
            m.data,
        )
    ints = np.flatnonzero(model.integer)
    if len(ints) and not relax:
        h.changeColsIntegrality(
            len(ints),
            ints.astype(np.int32),
            np.array([highspy.HighsVarType.kInteger] * len(ints)),
        )
        if start is not None:
            sol = highspy.HighsSolution()
            sol.col_value = list(map(float, start))
            sol.value_valid = True
            h.setSolution(sol)
        elif partial is not None and len(partial[0]):
            h.setSolution(len(partial[0]), partial[0].astype(np.int32), partial[1])
    _interrupts(h, deadline, stop_at)
    t0 = time.perf_counter()
    try:
        h.run()
    except KeyboardInterrupt:  # Ctrl-C cancels the solve cleanly
        h.cancelSolve()
        raise
    seconds = time.perf_counter() - t0
    status = h.getModelStatus()
    info = h.getInfo()
    values = np.array(h.getSolution().col_value) if info.primal_solution_status == 2 else None
    mip = bool(len(ints)) and not relax
    objective = float(info.objective_function_value) if values is not None else None
    bound = float(info.mip_dual_bound) if mip else objective
    nodes = int(info.mip_node_count) if mip else 0
    if status == highspy.HighsModelStatus.kOptimal:
        name = "optimal"
    elif status == highspy.HighsModelStatus.kInfeasible:
        name = "infeasible"
    elif values is not None:
        name = "feasible"
    elif status in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt):
        name = "time-limit-no-solution"
    else:
        name = f"error: {h.modelStatusToString(status)}"
    if n == 0 or status == highspy.HighsModelStatus.kModelEmpty:
        name, objective, bound, values = "optimal", 0.0, 0.0, np.zeros(n)
    gap_value = None
    if objective is not None and bound is not None:
        gap_value = _gap(objective, bound)
    duals = None
    iterate = None
    if relax and n and m.shape[0]:
        # also an unfinished (interrupted) interior point iterate's: sign-clamped, any duals
        # give a valid Lagrangian bound
        row_dual = np.array(h.getSolution().row_dual)
        if len(row_dual) == m.shape[0] and np.isfinite(row_dual).all() and row_dual.any():
            duals = row_dual
            if values is None:  # the iterate's column values: not a plan, a guide
                col_value = np.array(h.getSolution().col_value)
                if len(col_value) == n and np.isfinite(col_value).all():
                    iterate = col_value
    return Solution(name, objective, bound, values, seconds, nodes, gap_value, duals, iterate)
