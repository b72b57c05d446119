"""HiGHS: the solve of a :class:`~charter.planner.model.Model`, its outcome as a status.

Only module that imports highspy. The model it solves is stated in :mod:`.model`'s
docstring. Every HiGHS instance is made by :func:`new_highs` (quiet from construction); every
outcome is a :class:`SolveStatus` mapped from HiGHS's model status in one table
(:data:`HIGHS_STATUS`), never an exception; Ctrl-C during a solve interrupts HiGHS through its
interrupt callbacks and the solve returns the best plan found so far (:func:`cancel_scope`).

Longer than the planner's other modules on purpose: it is the one seam to highspy, so the
MILP solve, the column-generation LP session, the quiet constructor and the status table,
every call into HiGHS, live here and nowhere else.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from charter.planner.cancel import Cancellation, cancel_scope, cancelled, current, seconds_left
from charter.planner.model import INF, Model, build_model, submodel
from charter.planner.outcome import Solution, SolveStatus
from charter.planner.verify import COST_TOLERANCE, FEASIBILITY_TOLERANCE, inconsistency

__all__ = [
    "COST_TOLERANCE",
    "FEASIBILITY_TOLERANCE",
    "HIGHS_STATUS",
    "INF",
    "Cancellation",
    "LpSession",
    "Model",
    "Solution",
    "SolveStatus",
    "build_model",
    "cancel_scope",
    "inconsistency",
    "new_highs",
    "solve",
    "submodel",
]

F = npt.NDArray[np.float64]
assert highspy.kHighsInf == INF  # the model's "no bound" is HiGHS's


# HiGHS's model status → ours, for a run that left no primal solution (one that left one is
# FEASIBLE unless listed as OPTIMAL or INFEASIBLE here); a status not listed is an ERROR.
HIGHS_STATUS: dict[highspy.HighsModelStatus, SolveStatus] = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kModelEmpty: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.TIME_LIMIT_NO_SOLUTION,
    highspy.HighsModelStatus.kInterrupt: SolveStatus.TIME_LIMIT_NO_SOLUTION,
}
_DECISIVE = (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE)
# Seconds past its deadline that HiGHS may take to stop by itself before the solve leaves it
# behind (:func:`_run_held`): some of its stages (the MIP's analytic centre, parts of
# presolve) check neither its time limit nor the interrupt callbacks.
GRACE = 1.0
# A plan cheaper than the last by less than this share of its cost does not reset a solve's
# ``stall`` clock (:func:`solve`).
STALL_STEP = 1e-4


def _status(model_status: highspy.HighsModelStatus, has_values: bool) -> SolveStatus:
    status = HIGHS_STATUS.get(model_status, SolveStatus.ERROR)
    if has_values and status not in _DECISIVE:
        return SolveStatus.FEASIBLE
    return status


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


@functools.cache
def _libc() -> ctypes.CDLL | None:
    with contextlib.suppress(OSError):
        return ctypes.CDLL(None)
    return None


def _flush_c_stdio() -> None:
    """Flush the C library's stdio buffers, so that what HiGHS wrote there goes to /dev/null."""
    libc = _libc()
    with contextlib.suppress(AttributeError, TypeError):
        if libc is not None:
            libc.fflush(None)


def new_highs() -> highspy.Highs:
    """A HiGHS instance that writes nothing to stdout, from its construction on."""
    with _stdout_silenced():
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    return h


def _interrupts(
    h: highspy.Highs, deadline: float | None, stop_at: float | None, stall: float | None = None
) -> None:
    """Stop HiGHS at ``deadline`` (perf_counter) or the scope's (whichever comes first), once
    its plan costs ≤ ``stop_at``, once it has had a plan and found none cheaper (by
    ``STALL_STEP`` of its cost) for ``stall`` seconds, or on Ctrl-C (the cancellation of the
    current :func:`cancel_scope`)."""
    cancel = current()
    if deadline is None and stop_at is None and stall is None and cancel is None:
        return
    until = INF if deadline is None else deadline
    best = [INF, time.perf_counter()]  # the cheapest plan so far and when it was found

    def late(e: Any) -> None:
        if time.perf_counter() > until or (
            cancel is not None and (cancel.is_set() or cancel.expired())
        ):
            e.interrupt()

    def mip(e: Any) -> None:
        late(e)
        primal = e.data_out.mip_primal_bound
        if stop_at is not None and primal <= stop_at:
            e.interrupt()
        if stall is not None:
            now = time.perf_counter()
            if primal < INF and (best[0] == INF or primal < best[0] * (1 - STALL_STEP)):
                best[0], best[1] = primal, now
            elif best[0] < INF and now - best[1] > stall:
                e.interrupt()

    h.cbSimplexInterrupt.subscribe(late)
    h.cbIpmInterrupt.subscribe(late)
    h.cbMipInterrupt.subscribe(mip)


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
        """Re-solve the LP; ``optimal``, or HiGHS's words for what happened instead."""
        # the plan's deadline (the scope's) caps every re-solve
        time_limit = min(time_limit, seconds_left())
        if time_limit <= 0:
            return "time limit reached"
        # HiGHS's clock runs across calls: the limit is on its cumulative run time
        self.h.setOptionValue("time_limit", self.h.getRunTime() + float(max(time_limit, 0.1)))
        if not self._deadline_set:
            self._deadline_set = True

            cancel = current()

            def late(e: Any) -> None:
                if time.perf_counter() > self.deadline or (
                    cancel is not None and (cancel.is_set() or cancel.expired())
                ):
                    e.interrupt()

            self.h.cbSimplexInterrupt.subscribe(late)
        self.deadline = time.perf_counter() + float(max(time_limit, 0.1))
        ran = self.h.run()
        status = self.h.getModelStatus()
        if ran == highspy.HighsStatus.kError:
            return f"error ({self.h.modelStatusToString(status)})"
        if status == highspy.HighsModelStatus.kOptimal:
            return SolveStatus.OPTIMAL
        return str(self.h.modelStatusToString(status))

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
    stall: float | None = None,
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
        stall: stop once HiGHS has a plan and has found no cheaper one for this many seconds
            (by at least ``STALL_STEP`` of its cost), where the last hundredths of a percent
            are not worth the time they take.
    """
    m = model.matrix
    if m.shape[0]:
        empty = np.diff(m.indptr) == 0
        if (empty & ((model.row_lower > 1e-9) | (model.row_upper < -1e-9))).any():
            # a demand (or gang) row with nothing that could meet it
            return Solution(SolveStatus.INFEASIBLE, None, None, None, 0.0, 0, None)
    with cancel_scope():
        time_limit, deadline = _held(time_limit, deadline)
        run = _Run(time_limit, gap, relax, threads, options, deadline, stop_at, stall)
        if time_limit <= 0:  # the plan's time is up: no HiGHS call, the start if it is a plan
            sol = Solution(SolveStatus.TIME_LIMIT_NO_SOLUTION, None, None, None, 0.0, 0, None)
            return _start_stands(model, sol, start, None) or sol
        return _solve_checked(model, run, start, partial)


def _held(time_limit: float, deadline: float | None) -> tuple[float, float]:
    """A call's time limit and deadline held to the scope's deadline (the plan's)."""
    now = time.perf_counter()
    until = min(now + time_limit, seconds_left() + now)
    if deadline is not None:
        until = min(until, deadline)
    return until - now, until


@dataclass(frozen=True)
class _Run:
    """How one HiGHS run is set up (the arguments of :func:`solve` besides model and start)."""

    time_limit: float
    gap: float
    relax: bool
    threads: int | None
    options: dict[str, Any] | None
    deadline: float | None
    stop_at: float | None
    stall: float | None = None


def _solve_checked(
    model: Model, run: _Run, start: F | None, partial: tuple[npt.NDArray[np.int64], F] | None
) -> Solution:
    """:func:`solve` past its quick infeasibility test: solve, check, retry cold if needed."""
    t0 = time.perf_counter()
    sol = _solve_once(model, run, start=start, partial=partial)
    problem = _check(model, sol, run.relax)
    if problem is not None and (start is not None or partial is not None):
        first = problem
        left = run.time_limit - (time.perf_counter() - t0)
        if run.deadline is not None:
            left = min(left, run.deadline - time.perf_counter())
        # a cold solve gets at least a few seconds (small models need far less), but never
        # past the plan's deadline
        retry = min(max(left, 5.0), seconds_left())
        if retry > 0:
            cold = replace(run, time_limit=retry, deadline=time.perf_counter() + retry)
            sol = _solve_once(model, cold, start=None, partial=None)
            problem = _check(model, sol, run.relax)
        else:
            sol = Solution(SolveStatus.TIME_LIMIT_NO_SOLUTION, None, None, None, 0.0, 0, None)
            problem = None
        how = "solved again without the start"
        kept = _start_stands(model, sol, start, sol.bound)
        if kept is not None:  # the cold solve found nothing in the time left
            sol, problem = kept, None
            how = "the cold solve found no plan in time; the start is kept"
        sol.recovered = f"HiGHS's warm-started answer was rejected ({first}); {how}"
    elif sol.values is None:  # stopped (Ctrl-C, deadline) before HiGHS took the start up
        finite = sol.bound if sol.bound is not None and np.isfinite(sol.bound) else None
        sol = _start_stands(model, sol, start, finite) or sol
    if problem is not None:
        sol = Solution(SolveStatus.ERROR, None, None, None, sol.seconds, sol.nodes, None)
        sol.rejected = sol.detail = problem
    sol.seconds = time.perf_counter() - t0
    return sol


def _start_stands(
    model: Model, sol: Solution, start: F | None, bound: float | None
) -> Solution | None:
    """The start as the plan, when the solve found none and the start is one."""
    if sol.values is not None or start is None or _check_values(model, start) is not None:
        return None
    cost = float(model.cost @ start)
    gap_value = None if bound is None else _gap(cost, bound)
    kept = Solution(SolveStatus.FEASIBLE, cost, bound, start, 0.0, sol.nodes, gap_value)
    kept.interrupted = sol.interrupted or cancelled()
    return kept


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
    run: _Run,
    *,
    start: F | None,
    partial: tuple[npt.NDArray[np.int64], F] | None,
) -> Solution:
    """One HiGHS run on the whole model (or its LP relaxation), read back as a Solution."""
    h = new_highs()
    h.setOptionValue("time_limit", float(max(run.time_limit, 0.0)))
    h.setOptionValue("mip_rel_gap", float(run.gap))
    for name, value in (run.options or {}).items():
        h.setOptionValue(name, value)
    if run.threads is not None:
        h.setOptionValue("threads", int(run.threads))
    mip = _load(h, model, run.relax)
    if mip and start is not None:
        given = highspy.HighsSolution()
        given.col_value = list(map(float, start))
        given.value_valid = True
        h.setSolution(given)
    elif mip and partial is not None and len(partial[0]):
        h.setSolution(len(partial[0]), partial[0].astype(np.int32), partial[1])
    _interrupts(h, run.deadline, run.stop_at, run.stall)
    seen = _Incumbent()
    if mip:
        h.cbMipImprovingSolution.subscribe(seen.plan)
        h.cbMipInterrupt.subscribe(seen.bound)
    t0 = time.perf_counter()
    # Ctrl-C: the interrupt callbacks stop it (see cancel_scope)
    until = INF if run.deadline is None else run.deadline
    if not _run_held(h, until):
        return seen.solution(model, mip, time.perf_counter() - t0)
    return _read(h, model, run.relax, mip, time.perf_counter() - t0)


class _Incumbent:
    """HiGHS's best plan and bound so far, as its callbacks report them: what a solve left
    behind at its deadline (:func:`_run_held`) still has."""

    def __init__(self) -> None:
        self.values: F | None = None
        self.objective = INF
        self.best_bound: float | None = None

    def plan(self, e: Any) -> None:
        objective = float(e.data_out.objective_function_value)
        if objective < self.objective:
            self.values = np.array(e.data_out.mip_solution, dtype=np.float64)
            self.objective = objective

    def bound(self, e: Any) -> None:
        value = float(e.data_out.mip_dual_bound)
        if np.isfinite(value):
            self.best_bound = value

    def solution(self, model: Model, mip: bool, seconds: float) -> Solution:
        """The outcome of a run left behind: its last plan if it passes the model's check
        (never trusted unchecked), and its last bound."""
        values = self.values
        if values is not None and (
            len(values) != model.n_cols or inconsistency(model, values, None) is not None
        ):
            values = None
        interrupted = cancelled()
        if values is None:
            status = SolveStatus.INTERRUPTED if interrupted else SolveStatus.TIME_LIMIT_NO_SOLUTION
            sol = Solution(status, None, self.best_bound, None, seconds, 0, None)
        else:
            cost = float(model.cost @ values)
            bound = self.best_bound if mip else None
            gap_value = None if bound is None else _gap(cost, bound)
            sol = Solution(SolveStatus.FEASIBLE, cost, bound, values, seconds, 0, gap_value)
        sol.interrupted = interrupted
        sol.recovered = (
            f"HiGHS did not stop by its deadline (a stage that checks no time limit); it was "
            f"left behind after {seconds:.1f} s with the best plan it had reported"
        )
        return sol


def _run_held(h: highspy.Highs, until: float) -> bool:
    """Run HiGHS, waiting for it until ``until`` (perf_counter) plus :data:`GRACE` at most;
    whether it finished. Past that the run is left behind on its thread: its interrupt
    callbacks stop it at its next check, and nothing reads its state again. The thread is
    not a daemon: the process waits for it before exiting (HiGHS aborts the process if it
    is torn down while a run is still going), after the plan is written."""
    if not np.isfinite(until):
        h.run()
        return True
    done = threading.Event()

    def target() -> None:
        try:
            h.run()
        finally:
            done.set()

    runner = threading.Thread(target=target, name="charter-highs")
    runner.start()
    cancel = current()
    pressed = False
    # short waits: Ctrl-C's handler runs between them (a second Ctrl-C raises here); after
    # Ctrl-C, HiGHS gets the same grace to stop
    while not done.wait(timeout=0.1):
        now = time.perf_counter()
        if cancel is not None and cancel.is_set() and not pressed:
            pressed, until = True, min(until, now)
        if now > until + GRACE:
            return False
    return True


def _load(h: highspy.Highs, model: Model, relax: bool) -> bool:
    """Hand HiGHS the model as whole arrays; whether it is a MILP (binaries, not relaxed)."""
    m = model.matrix
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
    if not len(ints) or relax:
        return False
    h.changeColsIntegrality(
        len(ints),
        ints.astype(np.int32),
        np.array([highspy.HighsVarType.kInteger] * len(ints)),
    )
    return True


def _read(h: highspy.Highs, model: Model, relax: bool, mip: bool, seconds: float) -> Solution:
    """The outcome of a run: status (from :data:`HIGHS_STATUS`), plan, bound, and for an LP
    relaxation its duals (and an interrupted iterate's column values)."""
    n, n_rows = model.n_cols, model.matrix.shape[0]
    status = h.getModelStatus()
    info = h.getInfo()
    values = np.array(h.getSolution().col_value) if info.primal_solution_status == 2 else None
    objective = float(info.objective_function_value) if values is not None else None
    bound = float(info.mip_dual_bound) if mip else objective
    nodes = int(info.mip_node_count) if mip else 0
    name = _status(status, values is not None)
    detail = h.modelStatusToString(status) if name is SolveStatus.ERROR else None
    interrupted = cancelled() and status == highspy.HighsModelStatus.kInterrupt
    if interrupted and values is None:
        name = SolveStatus.INTERRUPTED
    if n == 0 or status == highspy.HighsModelStatus.kModelEmpty:
        name, objective, bound, values = SolveStatus.OPTIMAL, 0.0, 0.0, np.zeros(n)
    gap_value = None
    if objective is not None and bound is not None:
        gap_value = _gap(objective, bound)
    duals = None
    iterate = None
    if relax and n and n_rows:
        # also an unfinished (interrupted) interior point iterate's: sign-clamped, any duals
        # give a valid Lagrangian bound
        row_dual = np.array(h.getSolution().row_dual)
        if len(row_dual) == n_rows and np.isfinite(row_dual).all() and row_dual.any():
            duals = row_dual
            if values is None:  # the iterate's column values: not a plan, a guide
                col_value = np.array(h.getSolution().col_value)
                if len(col_value) == n and np.isfinite(col_value).all():
                    iterate = col_value
    sol = Solution(name, objective, bound, values, seconds, nodes, gap_value, duals, iterate)
    sol.detail, sol.interrupted = detail, interrupted
    return sol
