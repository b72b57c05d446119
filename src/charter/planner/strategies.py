"""The planner's strategies as named things: each says what bound it proves and solves a
:class:`SolveContext` into an :class:`Outcome`.

=============  ==========================================================================
``exact``      HiGHS on the whole model; its MILP dual bound.
``scale``      column generation for a Lagrangian bound of the LP relaxation, then a MILP
               over the generated columns (:mod:`.scale`).
``decompose``  bound from the relaxation where gang jobs are divisible (and, with time
               left after the plan, the whole model's LP relaxation), plan from the
               restriction to a few candidate offers per gang job, rounded from the
               relaxation and improved by a neighbourhood search (:mod:`.rounding`).
``auto``       decompose past ``DECOMPOSE_ABOVE`` gang combinations; otherwise exact up
               to ``EXACT_MAX_COLUMNS`` columns and scale beyond.
=============  ==========================================================================

They are registered in :data:`STRATEGIES` (an unknown name lists the valid ones), report to
one progress protocol (:mod:`.progress`) and stop at their next stage on Ctrl-C, keeping the
best plan found so far (:mod:`.cancel`).

The time limit is the whole plan's: :class:`SolveContext` holds one deadline from the start
of :func:`charter.planner.plan` (building the problem included), less a reserve for what
follows the solve (extraction, audit, writing; :func:`reserve`, from the model's size).
Every stage is handed at most what is left of it (:meth:`SolveContext.left`,
:meth:`SolveContext.by`), and the same deadline is the cancellation scope's, so that every
HiGHS call of the plan is held to it (:mod:`.solver`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Protocol

import numpy as np

from charter.errors import RequestError
from charter.planner import cancel
from charter.planner.greedy import greedy
from charter.planner.model import Model
from charter.planner.outcome import Solution, SolveStatus
from charter.planner.problem import Problem
from charter.planner.progress import ProgressEvent, ProgressListener, Stage, quiet
from charter.planner.scale import BOUND_METHOD, ScaleInfo, interior_bound, solve_scale
from charter.planner.setup import gang_size, setup
from charter.planner.solver import solve
from charter.scenario import Scenario

__all__ = ["STRATEGIES", "Outcome", "SolveContext", "Strategy", "strategy"]

# Models with more columns than this go down the scale path (column generation + restricted
# MILP) under strategy "auto" (when the decomposition does not apply: few gang jobs).
EXACT_MAX_COLUMNS = 400_000
# Past this many (gang job, offer, month) combinations "auto" decomposes (bound from the
# aggregated relaxation, plan from a restriction rounded from it). Measured at capacity
# about 1.3x demand: at 2,000 workloads x 200 offers x 12 months (660 k combinations) the
# decomposition reached 0.49% in 38 s where HiGHS on the whole model stopped at 1.08% after
# 51 s; at 200 x 50 x 12 (17 k) HiGHS's own bound is the tighter one (0.6% against 1.9%).
DECOMPOSE_ABOVE = 200_000
# Gang candidates kept per job in the restriction: of the offers not under a ROFR, this many
# of the cheapest and this many at random; likewise of those under one.
RESTRICTED_CANDIDATES = 8
# The decomposition's bound from the LP relaxation of the whole model (gang jobs whole, on
# any candidate, by fractions) with the time its plan leaves: only up to this many gang
# combinations (at M, 0.7-1.4 million, the whole model builds in under half a second), and
# only with at least WHOLE_LP_SECONDS left. Measured at M, seed 1: on short-windows it is
# 1.9% above the divisible relaxation's, and the interior point method takes 10-30 s.
WHOLE_LP_MAX_COMBINATIONS = 3_000_000
WHOLE_LP_SECONDS = 5.0
WHOLE_LP_BOUND = (
    "Lagrangian bound of the LP relaxation of the whole model, gang jobs whole "
    "(interior point method)"
)
# Shares of the time limit by the end of which the decomposition's relaxation bound and its
# rounded plan must be done.
RELAXATION_SHARE = 0.6
ROUNDING_SHARE = 0.9
# Share of the time left the exact strategy gives a start from the relaxation when the
# greedy finds none (the rest goes to HiGHS on the whole model, from that start).
START_SHARE = 0.4
# Share of the time left the exact strategy gives the clauses' binaries first (a bound from
# the model with gang jobs divisible, a plan with the clauses' binaries fixed where it put
# them) when the greedy finds no start; the relaxation's sub-MIP start follows only when that
# gives no plan.
CLAUSES_SHARE = 0.75
CLAUSES_BOUND = (
    "MILP dual bound of the model with gang jobs divisible and the clauses' binaries kept "
    "(HiGHS branch and bound)"
)
# The reserve for extraction, audit and writing (:func:`reserve`): seconds per column of the
# model (a plan has at most one placement per column), at least RESERVE_MIN, at most
# RESERVE_SHARE of the time limit. Measured at M size (100 k columns, 45 k placements) on a
# shared 2-core machine: extraction and audit about 1 s, writing the JSON plan about 5 s.
RESERVE_PER_COLUMN = 6.0e-5
RESERVE_MIN = 0.5
RESERVE_SHARE = 0.5


def reserve(model: Model, time_limit: float) -> float:
    """Seconds kept after the solve for extracting, auditing and writing a plan of this
    model (see ``RESERVE_PER_COLUMN``)."""
    need = RESERVE_PER_COLUMN * model.n_cols
    return float(min(max(RESERVE_MIN, need), RESERVE_SHARE * time_limit))


@dataclass
class SolveContext:
    """What a strategy is asked to plan: the scenario, horizon, limits and the listener.

    ``time_limit`` is the plan's whole budget from ``began``; ``kept`` the seconds of it
    reserved for what follows the solve (set by :meth:`sized` once the model is known).
    """

    scenario: Scenario
    start: str | None
    end: str | None
    events: dict[str, str] | None
    time_limit: float
    gap: float
    aggregate: bool = True
    report: ProgressListener = quiet
    began: float = field(default_factory=lambda: time.perf_counter())
    kept: float = 0.0

    @property
    def finish(self) -> float:
        """The instant (perf_counter) by which the whole plan must be done."""
        return self.began + self.time_limit

    @property
    def deadline(self) -> float:
        """The instant by which the solve must be done: the end less the reserve."""
        return self.finish - self.kept

    def left(self) -> float:
        """Seconds left for solving (never negative)."""
        return max(0.0, self.deadline - time.perf_counter())

    def by(self, share: float) -> float:
        """The instant by which a stage that may use ``share`` of the budget must be done."""
        return min(self.deadline, self.began + share * (self.deadline - self.began))

    def sized(self, model: Model) -> None:
        """Reserve what the stages after the solve need for this model, and hold every HiGHS
        call of the plan (the cancellation scope's deadline) to the solve's deadline."""
        self.kept = reserve(model, self.time_limit)
        self.hold(self.deadline)

    def hold(self, instant: float) -> None:
        """Hold every HiGHS call in the current cancellation scope to ``instant``."""
        scope = cancel.current()
        if scope is not None:
            scope.deadline = instant

    def say(
        self,
        stage: Stage,
        message: str,
        *,
        bound: float | None = None,
        incumbent: float | None = None,
    ) -> None:
        self.report(ProgressEvent(stage, message, bound, incumbent))

    def setup(self, aggregate: bool, **options: Any) -> tuple[Problem, Model]:
        return setup(self.scenario, self.start, self.end, self.events, aggregate, **options)


@dataclass
class Outcome:
    """A strategy's answer: the model it planned on, the solution and how it was found."""

    strategy: str  # the strategy that ran (``auto`` names the one it picked)
    problem: Problem
    model: Model
    solution: Solution
    bound_method: str
    warm: bool  # a warm start was found
    build_seconds: float
    details: dict[str, Any] | None = None  # the plan's ``stats["scale"]``
    reason: str | None = None  # why ``auto`` picked the strategy (the plan's stats say it)


class Strategy(Protocol):
    """A way to plan. ``bound`` says what the plan's bound is (its ``bound_method``)."""

    name: ClassVar[str]
    bound: ClassVar[str]

    def solve(self, context: SolveContext) -> Outcome: ...


def _build(context: SolveContext) -> tuple[Problem, Model, float]:
    """The whole model (the exact and scale strategies plan on it) and its build seconds."""
    began = time.perf_counter()
    context.say(Stage.BUILD, "building the problem (feasibility from the decision engine)")
    pb, model = context.setup(context.aggregate)
    built = time.perf_counter() - began
    context.say(
        Stage.SOLVE,
        f"solving: {model.n_cols:,} columns ({model.n_y + model.n_z:,} binary), "
        f"{model.matrix.shape[0]:,} rows",
    )
    return pb, model, built


class Exact:
    name: ClassVar[str] = "exact"
    bound: ClassVar[str] = "MILP dual bound (HiGHS branch and bound on the tightened model)"

    def solve(self, context: SolveContext) -> Outcome:
        return self.solve_model(context, *_build(context))

    def solve_model(
        self, context: SolveContext, pb: Problem, model: Model, built: float
    ) -> Outcome:
        context.sized(model)
        start = greedy(pb, model)
        lp_bound: float | None = None  # a bound found on the way to a start
        method = self.bound
        if start is None and not cancel.cancelled():
            from charter.planner.rounding import clauses_first, relaxation_start

            # no greedy plan (tight packing): HiGHS alone often stalls on a poor incumbent
            by = time.perf_counter() + CLAUSES_SHARE * context.left()
            start, lp_bound = clauses_first(
                model, deadline=by, gap=context.gap, report=context.report, pb=pb
            )
            if lp_bound is not None:
                method = CLAUSES_BOUND
            if start is None and not cancel.cancelled():
                by = time.perf_counter() + START_SHARE * context.left()
                start, relaxed = relaxation_start(
                    pb, model, deadline=by, gap=context.gap, report=context.report
                )
                if relaxed is not None and (lp_bound is None or relaxed > lp_bound):
                    lp_bound, method = relaxed, "LP relaxation of the whole model (HiGHS simplex)"
            if start is not None and cancel.cancelled():
                # Ctrl-C during the start: it stands, against the bound found on the way
                cost = float(model.cost @ start)
                gap = None if lp_bound is None else max(0.0, (cost - lp_bound) / max(cost, 1e-9))
                sol = Solution(SolveStatus.FEASIBLE, cost, lp_bound, start, 0.0, 0, gap)
                sol.interrupted = True
                return Outcome(self.name, pb, model, sol, method, True, built)
        sol = solve(
            model,
            time_limit=context.left(),
            gap=context.gap,
            start=start,
            deadline=context.deadline,
            # a plan within the gap of the bound found on the way is an answer
            stop_at=None if lp_bound is None else lp_bound / (1 - context.gap),
        )
        if _raises(sol, lp_bound):
            assert lp_bound is not None and sol.objective is not None
            _stand_against(sol, min(lp_bound, sol.objective), context.gap)
        else:
            method = self.bound
        return Outcome(self.name, pb, model, sol, method, start is not None, built)


def _stand_against(sol: Solution, bound: float, gap: float) -> None:
    """The plan of ``sol`` against a higher valid ``bound``: its gap, and ``optimal`` once
    that is within the ``gap`` asked for (as HiGHS's own status is)."""
    assert sol.objective is not None
    sol.bound = bound
    sol.gap = max(0.0, (sol.objective - bound) / max(abs(sol.objective), 1e-9))
    if sol.gap <= gap and sol.status == SolveStatus.FEASIBLE:
        sol.status = SolveStatus.OPTIMAL


def _raises(sol: Solution, bound: float | None) -> bool:
    """Whether ``bound`` (valid, found before the solve) is above the solve's own bound for
    its plan; one above the plan's cost by more than rounding is a fault, never used."""
    if bound is None or sol.objective is None or sol.values is None:
        return False
    if bound > sol.objective + 1e-6 * max(1.0, abs(sol.objective)):
        return False
    return sol.bound is None or not np.isfinite(sol.bound) or bound > sol.bound


class Scale:
    name: ClassVar[str] = "scale"
    bound: ClassVar[str] = BOUND_METHOD

    def solve(self, context: SolveContext) -> Outcome:
        return self.solve_model(context, *_build(context))

    def solve_model(
        self, context: SolveContext, pb: Problem, model: Model, built: float
    ) -> Outcome:
        context.sized(model)
        context.say(Stage.START, "greedy start (ROFR-respecting)")
        start = greedy(pb, model)
        sol, info = solve_scale(
            pb,
            model,
            time_limit=context.left(),
            gap=context.gap,
            start=start,
            report=context.report,
        )
        details = {
            "iterations": info.iterations,
            "converged": info.converged,
            "lp_value": info.lp_value,
            "columns_generated": info.columns_generated,
            "columns_in_mip": info.columns_in_mip,
            "lp_seconds": round(info.lp_seconds, 3),
            "mip_seconds": round(info.mip_seconds, 3),
        }
        return Outcome(self.name, pb, model, sol, self.bound, start is not None, built, details)


@dataclass
class _Relaxation:
    """The decomposition's bound: the aggregated problem with gang jobs divisible."""

    problem: Problem
    model: Model
    bound: float | None
    values: Any
    method: str
    iterations: int
    converged: bool
    ipm_seconds: float


class Decompose:
    name: ClassVar[str] = "decompose"
    bound: ClassVar[str] = (
        "Lagrangian bound of the LP relaxation of the aggregated problem, gang jobs divisible "
        "({method})"
    )

    def solve(self, context: SolveContext) -> Outcome:
        """Bound from the aggregated relaxation (gang jobs divisible), plan from the
        restriction to a few candidate offers per gang job, rounded from the relaxation's
        LP, searched from, and finished by the scale path where the restriction is small."""
        from charter.planner.rounding import guide, improve, round_relaxation

        t0 = time.perf_counter()
        relaxed = self._relax(context, deadline=context.by(RELAXATION_SHARE))
        relaxation_seconds = time.perf_counter() - t0
        method = self.bound.format(method=relaxed.method)
        if time.perf_counter() >= context.finish and not cancel.cancelled():
            # the whole budget is gone: building the restriction (seconds at M size) to
            # round without time would only make the answer late
            sol = Solution(
                SolveStatus.TIME_LIMIT_NO_SOLUTION, None, relaxed.bound, None, 0.0, 0, None
            )
            sol.seconds = time.perf_counter() - context.began
            pb_r, model_r = relaxed.problem, relaxed.model
            return Outcome(self.name, pb_r, model_r, sol, method, False, 0.0, {"warm": False})
        context.say(
            Stage.ROUNDING, f"restriction: up to {4 * RESTRICTED_CANDIDATES} offers per gang job"
        )
        pb, model = context.setup(True, gang_candidates=RESTRICTED_CANDIDATES)
        context.sized(model)
        hint, allotment = None, None
        if relaxed.values is not None:
            hint, allotment = guide(relaxed.problem, relaxed.model, relaxed.values, pb, model)
        if not relaxed.converged and relaxed.values is None:
            context.say(
                Stage.ROUNDING, "the relaxation did not finish: rounding without its guidance"
            )
        context.say(Stage.ROUNDING, "rounding the relaxation onto whole gang placements")
        start, slowest = round_relaxation(
            pb,
            model,
            hint,
            allotment,
            deadline=context.by(ROUNDING_SHARE),
            report=context.report,
        )
        left = context.left()
        # HiGHS's presolve does not heed the deadline: search only with time for two fills left
        if start is not None and hint is not None and left > 2 * slowest and not cancel.cancelled():
            start = improve(
                pb,
                model,
                start,
                hint,
                relaxed.bound,
                context.gap,
                deadline=context.deadline,
                report=context.report,
            )
        sol, info = self._finish(context, pb, model, start, relaxed.bound)
        if self._whole_bound(context, sol):
            method = WHOLE_LP_BOUND
        sol.seconds = time.perf_counter() - context.began  # both builds and solves
        details = {
            "relaxation_columns": relaxed.model.n_cols,
            "relaxation_method": relaxed.method,
            "relaxation_iterations": relaxed.iterations,
            "relaxation_converged": relaxed.converged,
            "relaxation_seconds": round(relaxation_seconds, 3),
            "interior_point_seconds": round(relaxed.ipm_seconds, 3),
            "restricted_gang_candidates": int(model.n_y),
            "iterations": info.iterations,
            "columns_generated": info.columns_generated,
            "columns_in_mip": info.columns_in_mip,
            "warm": start is not None,
        }
        return Outcome(self.name, pb, model, sol, method, start is not None, 0.0, details)

    def _whole_bound(self, context: SolveContext, sol: Solution) -> bool:
        """With the time the plan leaves, the LP relaxation of the whole model (every gang
        job whole on fractions of its candidates, where the divisible relaxation lets a
        job's hours change offers month by month) for a higher bound. Its rows can differ
        from the relaxation's (the row form follows the model's size), so on small models
        it can also come out lower; the higher stands. Whether it raised ``sol.bound`` (its
        gap and status follow)."""
        if sol.objective is None or cancel.cancelled() or context.left() < WHOLE_LP_SECONDS:
            return False
        if sol.gap is not None and sol.gap <= context.gap:
            return False
        if gang_size(context.scenario, context.start, context.end) > WHOLE_LP_MAX_COMBINATIONS:
            return False
        context.say(Stage.RELAXATION, "the time left: the LP relaxation of the whole model")
        pb, model = context.setup(True)
        bound, _, _, _ = interior_bound(pb, model, deadline=context.deadline)
        known = -np.inf if sol.bound is None else sol.bound
        if bound is None or bound <= known or bound > sol.objective * (1 + 1e-9):
            return False
        _stand_against(sol, bound, context.gap)
        context.say(Stage.RELAXATION, f"whole model's LP bound: {bound:,.0f}", bound=bound)
        return True

    def _relax(self, context: SolveContext, *, deadline: float) -> _Relaxation:
        """The relaxation's bound by the interior point method, by column generation when
        that runs out of time."""
        context.say(Stage.RELAXATION, "relaxation: gang jobs as divisible work")
        pb, model = context.setup(True, divisible_gangs=True)
        context.sized(model)  # until the restriction is built: its size is about the same
        context.say(
            Stage.RELAXATION, f"relaxation LP: {model.n_cols:,} columns, interior point method"
        )
        bound, values, ipm_seconds, converged = interior_bound(pb, model, deadline=deadline)
        method = "interior point method" + ("" if converged else ", stopped early")
        iterations = 0
        left = deadline - time.perf_counter()
        if bound is None and not cancel.cancelled() and left >= 1.0:
            context.say(
                Stage.RELAXATION, "interior point method out of time: column generation instead"
            )
            relaxed, info = solve_scale(
                pb, model, time_limit=left, gap=context.gap, report=context.report, mip=False
            )
            bound, values = relaxed.bound, relaxed.values
            method = "column generation"
            iterations, converged = info.iterations, info.converged
        if bound is not None:
            bound = max(bound, 0.0)  # every cost is non-negative
            context.say(Stage.RELAXATION, f"relaxation bound: {bound:,.0f}", bound=bound)
        return _Relaxation(pb, model, bound, values, method, iterations, converged, ipm_seconds)

    def _finish(
        self,
        context: SolveContext,
        pb: Problem,
        model: Model,
        start: Any,
        bound: float | None,
    ) -> tuple[Solution, ScaleInfo]:
        """The scale path on the restriction from the rounded plan, or, past
        ``EXACT_MAX_COLUMNS`` columns (or on Ctrl-C, or with no time left), the rounded plan
        against the bound."""
        left = context.left()
        stop = cancel.cancelled() or left < 1.0
        if (model.n_cols <= EXACT_MAX_COLUMNS or start is None) and not (
            stop and start is not None
        ):
            return solve_scale(
                pb,
                model,
                time_limit=left,
                gap=context.gap,
                start=start,
                report=context.report,
                valid_bound=bound,
            )
        # column generation on a restriction this large does not pay back in time (measured
        # at L and XL sizes): the rounded plan stands against the relaxation's bound
        cost = float(model.cost @ start)
        gap_value = None if bound is None else max(0.0, (cost - bound) / max(cost, 1e-9))
        within = gap_value is not None and gap_value <= context.gap
        status = SolveStatus.OPTIMAL if within else SolveStatus.FEASIBLE
        sol = Solution(status, cost, bound, start, 0.0, 0, gap_value)
        sol.interrupted = cancel.cancelled()
        return sol, ScaleInfo()


class Auto:
    name: ClassVar[str] = "auto"
    bound: ClassVar[str] = "the bound of the strategy it picks"

    def solve(self, context: SolveContext) -> Outcome:
        """Decompose past ``DECOMPOSE_ABOVE`` gang combinations; otherwise build the whole
        model and solve it exact up to ``EXACT_MAX_COLUMNS`` columns, by scale beyond."""
        combinations = gang_size(context.scenario, context.start, context.end)
        if combinations > DECOMPOSE_ABOVE:
            why = (
                f"{combinations:,} (gang job, offer, month) combinations, more than "
                f"{DECOMPOSE_ABOVE:,}: bound from the relaxation, plan from a restriction"
            )
            context.say(Stage.BUILD, f"auto: decompose ({why})")
            return replace(DECOMPOSE.solve(context), reason=why)
        pb, model, built = _build(context)
        if model.n_cols <= EXACT_MAX_COLUMNS:
            why = (
                f"{combinations:,} gang combinations and {model.n_cols:,} columns, within "
                f"{DECOMPOSE_ABOVE:,} and {EXACT_MAX_COLUMNS:,}: HiGHS on the whole model"
            )
            return replace(EXACT.solve_model(context, pb, model, built), reason=why)
        why = (
            f"{model.n_cols:,} columns, more than {EXACT_MAX_COLUMNS:,}, with "
            f"{combinations:,} gang combinations: column generation"
        )
        return replace(SCALE.solve_model(context, pb, model, built), reason=why)


EXACT, SCALE, DECOMPOSE, AUTO = Exact(), Scale(), Decompose(), Auto()
STRATEGIES: dict[str, Strategy] = {s.name: s for s in (AUTO, EXACT, SCALE, DECOMPOSE)}


def strategy(name: str) -> Strategy:
    """The strategy of that name.

    Raises:
        RequestError: no strategy has that name (the message lists the valid ones).
    """
    if name not in STRATEGIES:
        raise RequestError(f"unknown strategy {name!r}; use one of {', '.join(STRATEGIES)}")
    return STRATEGIES[name]
